import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession } from '../../../src/auth/StoredSession';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpRedisError } from '../../../src/errors/CtpRedisError';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { useRedis } from '../../support/redis/useRedis';
import { putToken, storedToken } from '../../support/session/storedToken';

const redis = useRedis();

const token = (access: string, refresh = 'p:refresh-1'): CtpAuthToken => ({
  kind: 'customer',
  accessToken: access,
  refreshToken: refresh,
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  customerId: 'c1',
});
const stored = (access: string, refresh?: string) => toStoredSession(token(access, refresh));

describe(RedisSessionStorage, () => {
  describe('keys and expiry', () => {
    it('should keep a session under ctp:session:{id} for 200 days by default', async () => {
      const storage = new RedisSessionStorage(redis, 'sid');
      await putToken(storage, token('a1'));
      // The compact stored form it was handed (StoredSession, format 2); a scope list no set of the registry holds is kept as the list.
      expect(JSON.parse((await redis.get('ctp:session:sid'))!)).toEqual({
        v: 2,
        k: 'c',
        a: 'a1',
        r: 'p:refresh-1',
        i: 1_000,
        e: 3_601_000,
        s: ['manage_my_orders:p'],
        c: 'c1',
      });
      expect(await storedToken(new RedisSessionStorage(redis, 'sid', { cache: false }))).toEqual(token('a1'));
      const ttl = await redis.ttl('ctp:session:sid');
      expect(ttl).toBeGreaterThan(200 * 86_400 - 60);
      expect(ttl).toBeLessThanOrEqual(200 * 86_400);
    });

    it('should use the key prefix and the TTL it is given for every compareAndSet', async () => {
      const storage = new RedisSessionStorage(redis, 'sid', { keyPrefix: 'shop-a:', ttlSeconds: 600 });
      await putToken(storage, token('a1'));
      expect(await redis.exists('ctp:session:sid')).toBe(0);
      expect(await redis.ttl('shop-a:session:sid')).toBeGreaterThan(590);
      expect(await redis.ttl('shop-a:session:sid')).toBeLessThanOrEqual(600);
      expect(await storage.compareAndSet(stored('a1'), stored('a2'))).toBe(true);
      expect(await redis.ttl('shop-a:session:sid')).toBeLessThanOrEqual(600);
      expect((await storedToken(storage))?.accessToken).toBe('a2');
      await putToken(storage, undefined);
      expect(await redis.exists('shop-a:session:sid')).toBe(0);
    });
  });

  describe('.get', () => {
    it.each([
      ['not JSON', 'not json'],
      ['JSON that is not a token', JSON.stringify({ accessToken: 'a1' })],
      ['a token with a CR/LF access token', JSON.stringify({ ...token('a1'), accessToken: 'a1\r\nX: 1' })],
      ['JSON null', 'null'],
    ])('should read %s as no session', async (_name, value) => {
      await redis.set('ctp:session:sid', value);
      expect(await new RedisSessionStorage(redis, 'sid').get()).toBeUndefined();
    });

    it('should read nothing stored as no session', async () => {
      expect(await new RedisSessionStorage(redis, 'nobody').get()).toBeUndefined();
    });
  });

  describe('.compareAndSet', () => {
    it('should read a session stored in the earlier full format, and compare-and-set over its pair', async () => {
      await redis.set('ctp:session:old', JSON.stringify(token('a1')));
      const storage = new RedisSessionStorage(redis, 'old');
      expect(await storedToken(storage)).toEqual(token('a1'));
      expect(await storage.compareAndSet(stored('a9'), stored('a2'))).toBe(false);
      expect(await storage.compareAndSet(stored('a1'), stored('a2'))).toBe(true);
      expect(JSON.parse((await redis.get('ctp:session:old'))!)).toEqual(stored('a2'));
    });

    it('should compare both the access and the refresh token of what is expected', async () => {
      const storage = new RedisSessionStorage(redis, 'sid');
      await putToken(storage, token('a1', 'p:refresh-1'));
      expect(await storage.compareAndSet(stored('a9', 'p:refresh-1'), stored('a2'))).toBe(false);
      expect(await storage.compareAndSet(stored('a1', 'p:refresh-9'), stored('a2'))).toBe(false);
      expect(await storage.compareAndSet(undefined, stored('a2'))).toBe(false);
      expect((await storedToken(storage))?.accessToken).toBe('a1');
    });
  });

  describe('when Redis fails', () => {
    it('should raise CTP_REDIS_UNAVAILABLE naming the operation, with the cause kept', async () => {
      const closed = redis.duplicate({ lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
      const storage = new RedisSessionStorage(closed, 'sid');
      for (const [operation, call] of [
        ['read', () => storage.get()],
        ['read', () => storage.get({ fresh: true })],
        ['compare and set', () => storage.compareAndSet(undefined, stored('a1'))],
        ['compare and set', () => storage.compareAndSet(stored('a1'), undefined)],
      ] as const) {
        const error = (await (call as () => Promise<unknown>)().catch((e: unknown) => e)) as CtpRedisError;
        expect(error).toBeInstanceOf(CtpRedisError);
        expect(error.code).toBe(CtpErrorCode.RedisUnavailable);
        expect(error.message).toBe(`Redis failed to ${operation} the shopper's session; check the Redis server.`);
        expect(error.cause).toBeInstanceOf(Error);
      }
      closed.disconnect();
    });
  });
});
