import { createRequire } from 'node:module';
import { CtpConfigError } from '../errors/CtpConfigError';
import type { Logger } from '../util/Logger';
import type { QuittableRedis } from './quitRedisClient';
import type { RedisLike } from './RedisLike';

type Client = RedisLike & QuittableRedis & { on(event: 'error', listener: (error: Error) => void): unknown };

/**
 * An ioredis Cluster client for redis.clusterUrls (some or all nodes of one Redis Cluster; it finds
 * the rest itself), loaded only when asked for (ioredis is an optional peer dependency). Every node
 * connection gets the same bounds as createRedisClient's single client, so a command to a master
 * that just died times out instead of waiting for the failover; redirections after a failover
 * (MOVED, CLUSTERDOWN, a closed connection) are retried by ioredis within that same command timeout.
 * Whoever makes it closes it (createCtpServices' close() does for the client it made).
 */
export function createRedisClusterClient(urls: readonly string[], commandTimeoutMs = 2_000, logger?: Logger): Client {
  let Cluster: new (nodes: { host: string; port: number }[], options: Record<string, unknown>) => Client;
  try {
    Cluster = (createRequire(import.meta.url)('ioredis') as { Cluster: typeof Cluster }).Cluster;
  } catch {
    throw new CtpConfigError(['redis.clusterUrls is set but ioredis is not installed: npm install ioredis']);
  }
  const parsed = urls.map((url) => new URL(url));
  const first = parsed[0]!;
  // Nodes the cluster reports (CLUSTER SLOTS) come without credentials: every node gets the first
  // URL's (resolveCtpOptions checked that all URLs agree on them and on TLS).
  const redisOptions = {
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: commandTimeoutMs,
    disconnectTimeout: commandTimeoutMs,
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  const client = new Cluster(
    parsed.map((url) => ({ host: url.hostname, port: Number(url.port || 6379) })),
    // slotsRefreshTimeout: a slot map asked of a dead node is given up on as quickly as a command.
    { redisOptions, slotsRefreshTimeout: commandTimeoutMs, lazyConnect: false },
  );
  // Without a listener, ioredis prints every connection error; the message names no secret.
  client.on('error', (error) => logger?.warn({ event: 'ctp.redis.error', message: error.message }, 'Redis Cluster connection error'));
  return client;
}
