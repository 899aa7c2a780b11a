import { describe, expect, it } from 'vitest';
import type { CtpAuthToken, SharedToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpRedisError } from '../../../src/errors/CtpRedisError';
import { FallbackCoordinator } from '../../../src/fleet/FallbackCoordinator';
import { RedisCoordinator } from '../../../src/fleet/RedisCoordinator';
import type { RedisLike } from '../../../src/fleet/RedisLike';
import type { SharedTokenId } from '../../../src/tokens/TokenCoordinator';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { FakePlatform } from '../../support/FakePlatform';
import { CapturingLogger, ManualClock, testConfig } from '../../support/createTestServices';
import { useRedis } from '../../support/redis/useRedis';
import { storedToken } from '../../support/session/storedToken';

// redis.fallbackToLocal on a real redis-server whose publication of the result fails after the lock
// was taken and the grant or refresh done: the result is returned, never produced a second time.

const redis = useRedis();

/** The file's Redis, except that every script storing a result (the only one with HSET) fails, as if Redis went away right then. */
function failingPublication(): RedisLike & { failed: number } {
  const client = {
    failed: 0,
    get: (key: string) => redis.get(key),
    eval: (script: string, numKeys: number, ...args: (string | number)[]) => {
      if (!script.includes("'HSET'")) return redis.eval(script, numKeys, ...args);
      client.failed += 1;
      return Promise.reject(new Error('Connection is closed.'));
    },
  };
  return client;
}

function coordinators(client: RedisLike) {
  const logger = new CapturingLogger();
  const clock = new ManualClock();
  const primary = new RedisCoordinator({
    redis: client,
    keyPrefix: 'f:',
    lockTtlMs: 60_000,
    lockWaitMs: 1_000,
    pollMs: 50,
    clock,
    sleep: async () => undefined,
    logger,
  });
  return { logger, fallback: new FallbackCoordinator(primary, logger) };
}

const ID: SharedTokenId = {
  name: 'integration',
  authUrl: 'https://auth.example',
  projectKey: 'p',
  clientId: 'c',
  scope: 'view_products:p',
};
const sharedToken = (accessToken: string): SharedToken => ({
  accessToken,
  issuedAt: 0,
  expiresAt: Date.UTC(2030, 0),
  scopes: ['view_products:p'],
});
const sessionToken = (accessToken: string): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken,
  refreshToken: 'p:rt',
  issuedAt: 0,
  expiresAt: Date.UTC(2030, 0),
  scopes: ['manage_my_orders:p'],
  anonymousId: 'a',
});

describe('FallbackCoordinator', () => {
  describe('when Redis fails to publish the result after the lock was taken', () => {
    it('should return the refreshed token, refresh once, log the failed publication and not fall back', async () => {
      const client = failingPublication();
      const { logger, fallback } = coordinators(client);
      let refreshes = 0;
      const got = await fallback.refresh(
        sessionToken('old'),
        async () => sessionToken(`new-${++refreshes}`),
        () => true,
      );
      expect(client.failed).toBe(1);
      expect(refreshes).toBe(1);
      expect(got).toMatchObject({ accessToken: 'new-1' });
      expect(logger.events('ctp.fleet.publish-failed')).toHaveLength(1);
      expect(logger.events('ctp.redis.fallback')).toEqual([]);
    });

    it('should return the granted shared token and grant once', async () => {
      const client = failingPublication();
      const { logger, fallback } = coordinators(client);
      let grants = 0;
      const got = await fallback.shared(
        ID,
        async () => sharedToken(`granted-${++grants}`),
        () => true,
      );
      expect(client.failed).toBe(1);
      expect(grants).toBe(1);
      expect(got.accessToken).toBe('granted-1');
      expect(logger.events('ctp.redis.fallback')).toEqual([]);
    });
  });

  describe('when the refresh itself fails with CTP_REDIS_UNAVAILABLE (it ran: the lock step had succeeded)', () => {
    it('should pass the error on without refreshing again in the process', async () => {
      const { logger, fallback } = coordinators(redis);
      let refreshes = 0;
      const error = await fallback
        .refresh(
          sessionToken('old'),
          async () => {
            refreshes += 1;
            throw new CtpRedisError(
              CtpErrorCode.RedisUnavailable,
              "Redis failed to store the shopper's session; check the Redis server.",
            );
          },
          () => true,
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.RedisUnavailable });
      expect(refreshes).toBe(1);
      expect(logger.events('ctp.redis.fallback')).toEqual([]);
    });
  });

  describe('when the lock step fails', () => {
    it('should coordinate in the process: one refresh, logged as the fallback', async () => {
      const closed = redis.duplicate({ lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
      const { logger, fallback } = coordinators(closed);
      let refreshes = 0;
      const got = await fallback.refresh(
        sessionToken('old'),
        async () => sessionToken(`new-${++refreshes}`),
        () => true,
      );
      expect(refreshes).toBe(1);
      expect(got).toMatchObject({ accessToken: 'new-1' });
      expect(logger.events('ctp.redis.fallback')).toHaveLength(1);
      closed.disconnect();
    });
  });
});

describe('redis.fallbackToLocal in createCtpServices', () => {
  describe('when the publication of a refreshed session token fails', () => {
    it('should send one refresh grant to the platform and store the token it returns', async () => {
      const platform = new FakePlatform();
      const clock = new ManualClock();
      const client = failingPublication();
      const logger = new CapturingLogger();
      const services = createCtpServices(testConfig(), {
        fetch: platform.fetch,
        clock,
        logger,
        sleep: async () => undefined,
        redis: { client, fallbackToLocal: true, sessionCache: false },
      });
      const storage = new MemorySessionStorage('sid');
      const first = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
      clock.advance(3_600_000);
      const refreshed = await runWithCtpSession(storage, () => services.session.accessToken());
      expect(client.failed).toBeGreaterThanOrEqual(1);
      expect(platform.grants('refresh_token')).toHaveLength(1);
      expect(refreshed.accessToken).not.toBe(first.accessToken);
      // The one token the refresh produced is the one the session holds: none live and unstored.
      expect((await storedToken(storage))?.accessToken).toBe(refreshed.accessToken);
      expect(logger.events('ctp.redis.fallback')).toEqual([]);
      await services.close();
    });
  });
});
