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

/**
 * An ioredis Cluster (a subclass an app can use too) for redis.clusterUrls, some or all nodes of one
 * cluster; ioredis is an optional peer, loaded only when asked for. Every command is bounded by
 * commandTimeoutMs: once sent, by the node connection's commandTimeout, which also covers the
 * redirections after a failover; before that, GET and EVAL wait for readiness at most that long.
 * ioredis' offline queue is off: it has no timeout, so a command would run whenever the cluster came
 * back, long after its caller gave up (a lock taken for nobody).
 */
export function createRedisClusterClient(
  urls: readonly string[],
  commandTimeoutMs = 2_000,
  logger?: Logger,
): RedisLike & QuittableRedis {
  let Cluster: new (nodes: { host: string; port: number }[], options: Record<string, unknown>) => IoredisCluster;
  try {
    Cluster = (createRequire(import.meta.url)('ioredis') as { Cluster: typeof Cluster }).Cluster;
  } catch {
    throw new CtpConfigError(['redis.clusterUrls is set but ioredis is not installed: npm install ioredis']);
  }
  const parsed = urls.map((url) => new URL(url));
  const first = parsed[0]!;
  // Nodes the cluster reports come without credentials: all get the first URL's (resolveCtpOptions checked they agree).
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

/** Resolves when the cluster is ready, or rejects after `ms`; one listener pair per not-ready period, however many commands wait. */
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
