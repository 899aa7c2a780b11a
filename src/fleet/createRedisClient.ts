import { createRequire } from 'node:module';
import { CtpConfigError } from '../errors/CtpConfigError';
import type { Logger } from '../util/Logger';
import type { QuittableRedis } from './quitRedisClient';
import type { RedisLike } from './RedisLike';

type Client = RedisLike & QuittableRedis & { on(event: 'error', listener: (error: Error) => void): unknown };

/**
 * An ioredis client for CTP_REDIS_URL (an optional peer, loaded only when asked for). Commands time
 * out instead of queueing while Redis is away, so a request fails with a typed error, never hangs.
 */
export function createRedisClient(url: string, commandTimeoutMs = 2_000, logger?: Logger): Client {
  let Redis: new (url: string, options: Record<string, unknown>) => Client;
  try {
    const required = createRequire(import.meta.url)('ioredis') as { default?: typeof Redis } & typeof Redis;
    Redis = required.default ?? required;
  } catch {
    throw new CtpConfigError(['CTP_REDIS_URL is set but ioredis is not installed: npm install ioredis']);
  }
  // disconnectTimeout: on close, a socket the server does not close (a hung Redis) is destroyed after this long.
  const client = new Redis(url, {
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: commandTimeoutMs,
    disconnectTimeout: commandTimeoutMs,
    lazyConnect: false,
  });
  // Without a listener, ioredis prints every connection error; the message names no secret.
  client.on('error', (error) =>
    logger?.warn({ event: 'ctp.redis.error', message: error.message }, 'Redis connection error'),
  );
  return client;
}
