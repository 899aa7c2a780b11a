import { createRequire } from 'node:module';
import { CtpConfigError } from '../errors/CtpConfigError';
import type { Logger } from '../util/Logger';
import type { QuittableRedis } from './quitRedisClient';
import type { RedisLike } from './RedisLike';

/** The part of an ioredis Cluster this file uses. */
interface IoredisCluster extends RedisLike, QuittableRedis {
  readonly status: string;
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'ready' | 'end', listener: () => void): unknown;
  off(event: 'ready' | 'end', listener: () => void): unknown;
}

export type RedisClusterClient = RedisLike & QuittableRedis;

/**
 * A Redis Cluster client for redis.clusterUrls (some or all nodes of one cluster; it finds the rest
 * itself): an ioredis Cluster, loaded only when asked for (ioredis is an optional peer dependency).
 * Whoever makes it closes it (createCtpServices' close() does for the client it made).
 *
 * Every command is bounded by commandTimeoutMs, as with createRedisClient:
 * - once sent to a node, by that node connection's commandTimeout, which also covers the
 *   redirections ioredis follows after a failover (MOVED, CLUSTERDOWN, a closed connection);
 * - before that, while the cluster client is not ready (starting, or every node unreachable): GET and
 *   EVAL, the library's commands, wait for readiness at most that long; any other command fails at
 *   once. ioredis' own offline queue for that case has no timeout: a command would wait for as long
 *   as the cluster is away, and run whenever it came back, long after its caller gave up (a lock
 *   taken for nobody). So that queue is off, and a command that did not get to wait in time is never
 *   sent.
 * It is a real ioredis Cluster (a subclass), so an app can use it for its own commands too.
 */
export function createRedisClusterClient(
  urls: readonly string[],
  commandTimeoutMs = 2_000,
  logger?: Logger,
): RedisClusterClient {
  let Cluster: new (nodes: { host: string; port: number }[], options: Record<string, unknown>) => IoredisCluster;
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
  class ReadyBoundCluster extends Cluster {
    readonly #ready = readiness(this, commandTimeoutMs);
    override async get(key: string): Promise<string | null> {
      await this.#ready();
      return super.get(key);
    }
    override async eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown> {
      await this.#ready();
      return super.eval(script, numKeys, ...args);
    }
  }
  const cluster = new ReadyBoundCluster(
    parsed.map((url) => ({ host: url.hostname, port: Number(url.port || 6379) })),
    // slotsRefreshTimeout: a slot map asked of a dead node is given up on as quickly as a command.
    { redisOptions, slotsRefreshTimeout: commandTimeoutMs, enableOfflineQueue: false, lazyConnect: false },
  );
  // Without a listener, ioredis prints every connection error; the message names no secret.
  cluster.on('error', (error) =>
    logger?.warn({ event: 'ctp.redis.error', message: error.message }, 'Redis Cluster connection error'),
  );
  return cluster;
}

/**
 * Resolves at once while the cluster is ready; otherwise when it becomes ready, or rejects after
 * `ms`. One listener pair per not-ready period, shared by every waiting command (no listener per
 * command, however many wait).
 */
function readiness(cluster: IoredisCluster, ms: number): () => Promise<void> {
  let becomingReady: Promise<void> | undefined;
  const untilReady = () =>
    (becomingReady ??= new Promise<void>((resolve, reject) => {
      const settle = () => {
        cluster.off('ready', onReady);
        cluster.off('end', onEnd);
        becomingReady = undefined;
      };
      const onReady = () => (settle(), resolve());
      const onEnd = () => (settle(), reject(new Error('the Redis Cluster client is closed')));
      cluster.once('ready', onReady);
      cluster.once('end', onEnd);
    }));
  return async () => {
    if (cluster.status === 'ready') return;
    if (cluster.status === 'end') throw new Error('the Redis Cluster client is closed');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        untilReady(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the Redis Cluster was not reachable within ${ms} ms`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}
