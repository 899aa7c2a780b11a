import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedis } from './startRedis';

/**
 * A redis-server for the test file (started before its tests, stopped after, flushed after each
 * test) and a client of it. The client exists only once the server runs, so what is returned is a
 * stand-in that forwards to it: a file keeps one `redis` binding instead of a `let` and three hooks.
 */
export function useRedis(): Redis {
  let stop: (() => Promise<void>) | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    const server = await startRedis();
    stop = () => server.stop();
    client = new Redis(server.url, { commandTimeout: 2_000, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await client?.quit();
    await stop?.();
  });
  afterEach(async () => {
    await client?.flushall();
  });
  return new Proxy({} as Redis, {
    get(_target, key) {
      if (client === undefined) throw new Error('useRedis(): the client is there only inside tests and hooks');
      const value = Reflect.get(client, key, client) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
    },
  });
}
