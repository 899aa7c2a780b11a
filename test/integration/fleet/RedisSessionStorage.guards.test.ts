import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession } from '../../../src/auth/StoredSession';
import type { ChannelListener, RedisEvents } from '../../../src/fleet/RedisEvents';
import type { RedisLike } from '../../../src/fleet/RedisLike';
import { RedisSessionCache } from '../../../src/fleet/RedisSessionCache';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { useRedis } from '../../support/redis/useRedis';

// Guards found by mutation testing (bench/mutation.md, 8 December): what RedisSessionStorage tells its
// cache and its channel, over a real redis-server. The cache's subscriber is a stand-in that is always
// live and hears nothing, so what the cache holds comes only from this storage's own answers.
const redis = useRedis();

const token = (access: string): CtpAuthToken => ({
  kind: 'customer',
  accessToken: access,
  refreshToken: 'p:refresh-1',
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  customerId: 'c1',
});
const stored = (access: string) => toStoredSession(token(access));

class SilentEvents {
  live(): boolean {
    return true;
  }
  listen(_channel: string, _listener: ChannelListener): void {}
}

const cacheOn = (channel = 'ctp:session-changed') =>
  new RedisSessionCache(new SilentEvents() as unknown as RedisEvents, channel);

/** The real client, counting the GETs sent. */
function counting(): RedisLike & { gets: number } {
  const client = {
    gets: 0,
    get: (key: string) => ((client.gets += 1), redis.get(key)),
    eval: (script: string, numKeys: number, ...args: (string | number)[]) => redis.eval(script, numKeys, ...args),
  };
  return client;
}

/** The next message on `channel`, once the subscription is confirmed. */
async function nextMessage(channel: string): Promise<{ message: Promise<string>; close: () => void }> {
  const subscriber = redis.duplicate();
  await subscriber.subscribe(channel);
  const message = new Promise<string>((resolve) => subscriber.once('message', (_c: string, m: string) => resolve(m)));
  return { message, close: () => subscriber.disconnect() };
}

describe('RedisSessionStorage, what a write announces', () => {
  it("should publish on the cache's channel, as the cache's origin, whatever key prefix the storage has", async () => {
    const cache = cacheOn('ctp:session-changed');
    const listener = await nextMessage('ctp:session-changed');
    const storage = new RedisSessionStorage(redis, 'sid', { keyPrefix: 'shop-a:', cache });
    expect(await storage.compareAndSet(undefined, stored('a1'))).toBe(true);
    expect(await listener.message).toBe(`${cache.origin} sid`);
    listener.close();
    expect(await redis.exists('shop-a:session:sid')).toBe(1);
  });

  it("should publish on its key prefix's channel as '-' without a cache", async () => {
    const listener = await nextMessage('shop-a:session-changed');
    const storage = new RedisSessionStorage(redis, 'sid', { keyPrefix: 'shop-a:', cache: false });
    expect(await storage.compareAndSet(undefined, stored('a1'))).toBe(true);
    expect(await listener.message).toBe('- sid');
    listener.close();
  });
});

describe('RedisSessionStorage with a cache', () => {
  it('should answer from what its own write stored, and read Redis after a refused or clearing write', async () => {
    const client = counting();
    const storage = new RedisSessionStorage(client, 'sid', { cache: cacheOn() });
    expect(await storage.compareAndSet(undefined, stored('a1'))).toBe(true);
    expect((await storage.get())?.a).toBe('a1');
    expect(client.gets).toBe(0);
    // Another instance writes a2 (its message is not heard); this one's refused write says nothing of what is stored.
    await new RedisSessionStorage(redis, 'sid').compareAndSet(stored('a1'), stored('a2'));
    expect(await storage.compareAndSet(stored('a9'), stored('a3'))).toBe(false);
    expect((await storage.get())?.a).toBe('a2');
    expect(client.gets).toBe(1);
    expect(await storage.compareAndSet(stored('a2'), undefined)).toBe(true);
    expect(await storage.get()).toBeUndefined();
    expect(client.gets).toBe(2);
  });

  it('should share one GET between concurrent misses, never with a fresh read, and read again once it is answered', async () => {
    const client = counting();
    const storage = new RedisSessionStorage(client, 'sid', { cache: cacheOn() });
    const [first, second, fresh] = await Promise.all([storage.get(), storage.get(), storage.get({ fresh: true })]);
    expect([first, second, fresh]).toEqual([undefined, undefined, undefined]);
    expect(client.gets).toBe(2);
    // Nothing stored is not kept: the next miss reads Redis again and finds another instance's write.
    await new RedisSessionStorage(redis, 'sid').compareAndSet(undefined, stored('a1'));
    expect((await storage.get())?.a).toBe('a1');
    expect(client.gets).toBe(3);
  });

  it('should hand out frozen sessions, their scope lists frozen, in either stored format', async () => {
    const storage = new RedisSessionStorage(redis, 'sid', { cache: cacheOn() });
    await storage.compareAndSet(undefined, stored('a1'));
    const written = await storage.get();
    expect(Object.isFrozen(written)).toBe(true);
    expect(Object.isFrozen(written?.s)).toBe(true);
    const read = await storage.get({ fresh: true });
    expect(read?.s).toEqual(['manage_my_orders:p']);
    expect(Object.isFrozen(read)).toBe(true);
    expect(Object.isFrozen(read?.s)).toBe(true);
    await redis.set('ctp:session:old', JSON.stringify(token('a1')));
    const old = (await new RedisSessionStorage(redis, 'old').get()) as unknown as { scopes: string[] };
    expect(old.scopes).toEqual(['manage_my_orders:p']);
    expect(Object.isFrozen(old)).toBe(true);
    expect(Object.isFrozen(old.scopes)).toBe(true);
  });
});
