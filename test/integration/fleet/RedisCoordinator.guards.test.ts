import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CtpAuthToken, SharedToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpRedisError } from '../../../src/errors/CtpRedisError';
import { sharedTokenKey } from '../../../src/fleet/fleetKeys';
import { RedisCoordinator } from '../../../src/fleet/RedisCoordinator';
import type { RedisEvents } from '../../../src/fleet/RedisEvents';
import type { RedisLike } from '../../../src/fleet/RedisLike';
import type { SharedTokenId } from '../../../src/tokens/TokenCoordinator';
import { CapturingLogger } from '../../support/createTestServices';
import { useRedis } from '../../support/redis/useRedis';

// The guards of RedisCoordinator on a real redis-server, with an injected clock and sleep: no real waits.

const redis = useRedis();

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const PREFIX = 'g:';
const ID: SharedTokenId = {
  name: 'guest',
  authUrl: 'https://auth.example',
  projectKey: 'p',
  clientId: 'client-a',
  scope: 'view_products:p',
};
const shared = (accessToken: string, expiresAt = T0 + HOUR): SharedToken => ({
  accessToken,
  issuedAt: T0,
  expiresAt,
  scopes: ['view_products:p'],
});
const session = (accessToken: string, refreshToken = 'p:rt-1'): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken,
  refreshToken,
  issuedAt: T0,
  expiresAt: T0 + HOUR,
  scopes: ['manage_my_orders:p'],
  anonymousId: 'a1',
});
// A session's refresh key carries a Redis Cluster hash tag, so its lock and fence keys share its slot.
const refreshName = (refreshToken: string) =>
  `refresh:{${createHash('sha256').update(refreshToken).digest('base64url')}}`;

function setUp(
  options: {
    client?: RedisLike;
    lockWaitMs?: number;
    pollMs?: number;
    events?: RedisEvents | undefined;
    sleep?: (ms: number) => Promise<void>;
  } = {},
) {
  const clock = { t: T0, now: () => clock.t };
  const logger = new CapturingLogger();
  const sleeps: number[] = [];
  const coordinator = new RedisCoordinator({
    redis: options.client ?? redis,
    keyPrefix: PREFIX,
    lockTtlMs: 60_000,
    lockWaitMs: options.lockWaitMs ?? 1_000,
    pollMs: options.pollMs ?? 50,
    events: options.events,
    clock,
    sleep:
      options.sleep ??
      (async (ms) => {
        sleeps.push(ms);
        clock.t += ms;
      }),
    logger,
  });
  return { coordinator, clock, logger, sleeps };
}

const publish = (name: string, value: string) => redis.hset(`${PREFIX}${name}`, 'fence', '1', 'value', value);
const holdLock = (name: string) => redis.set(`${PREFIX}lock:${name}`, 'someone-else', 'PX', 60_000);

describe('RedisCoordinator guards', () => {
  describe('when it publishes a grant', () => {
    it('should keep it as long as the token lives, release its lock and log no fencing', async () => {
      const { coordinator, logger } = setUp();
      const got = await coordinator.shared(
        ID,
        async () => shared('granted'),
        () => true,
      );
      expect(got.accessToken).toBe('granted');
      const pttl = await redis.pttl(`${PREFIX}${sharedTokenKey(ID)}`);
      expect(pttl).toBeGreaterThan(HOUR - 5_000);
      expect(pttl).toBeLessThanOrEqual(HOUR);
      expect(await redis.exists(`${PREFIX}lock:${sharedTokenKey(ID)}`)).toBe(0);
      expect(logger.events('ctp.fleet.fenced')).toEqual([]);
      expect(logger.events('ctp.fleet.reused')).toEqual([]);
    });

    it('should keep a token that is about to expire at least a second', async () => {
      const { coordinator } = setUp();
      await coordinator.shared(
        ID,
        async () => shared('short', T0 + 10),
        () => true,
      );
      const pttl = await redis.pttl(`${PREFIX}${sharedTokenKey(ID)}`);
      expect(pttl).toBeGreaterThan(900);
      expect(pttl).toBeLessThanOrEqual(1_000);
    });

    it('should keep a refreshed session token as long as it lives', async () => {
      const { coordinator } = setUp();
      await coordinator.refresh(
        session('old'),
        async () => session('new'),
        () => true,
      );
      const pttl = await redis.pttl(`${PREFIX}${refreshName('p:rt-1')}`);
      expect(pttl).toBeGreaterThan(HOUR - 5_000);
      expect(pttl).toBeLessThanOrEqual(HOUR);
      expect(JSON.parse((await redis.hget(`${PREFIX}${refreshName('p:rt-1')}`, 'value'))!)).toEqual(session('new'));
      // The lock went back, and nothing names the refresh token itself.
      expect(await redis.exists(`${PREFIX}lock:${refreshName('p:rt-1')}`)).toBe(0);
      expect(await redis.keys('*rt-1*')).toEqual([]);
    });
  });

  describe('when another instance published a token and holds the lock', () => {
    it('should use the published token at once, without the lock, logging no reuse', async () => {
      const { coordinator, logger, sleeps } = setUp();
      await publish(sharedTokenKey(ID), JSON.stringify(shared('published')));
      await holdLock(sharedTokenKey(ID));
      let grants = 0;
      const got = await coordinator.shared(
        ID,
        async () => (grants++, shared('mine')),
        () => true,
      );
      expect(got.accessToken).toBe('published');
      expect(grants).toBe(0);
      expect(sleeps).toEqual([]);
      expect(logger.events('ctp.fleet.reused')).toEqual([]);
    });

    it('should reuse a refreshed session token published by another instance', async () => {
      const { coordinator } = setUp();
      await publish(refreshName('p:rt-1'), JSON.stringify(session('published')));
      let refreshes = 0;
      const got = await coordinator.refresh(
        session('old'),
        async () => (refreshes++, session('mine')),
        () => true,
      );
      expect(got).toMatchObject({ accessToken: 'published' });
      expect(refreshes).toBe(0);
    });
  });

  describe('when another instance holds the lock and publishes while this one waits', () => {
    it('should poll, take the published token and log the reuse by key kind', async () => {
      let polls = 0;
      const { coordinator, logger } = setUp({
        sleep: async () => {
          polls += 1;
          await publish(sharedTokenKey(ID), JSON.stringify(shared('from-the-holder')));
        },
      });
      await holdLock(sharedTokenKey(ID));
      const got = await coordinator.shared(
        ID,
        async () => shared('mine'),
        () => true,
      );
      expect(got.accessToken).toBe('from-the-holder');
      expect(polls).toBe(1);
      expect(logger.events('ctp.fleet.reused')).toEqual([{ event: 'ctp.fleet.reused', key: 'shared' }]);
    });
  });

  describe('when a token is published between its read and its lock', () => {
    it('should use that token instead of granting', async () => {
      let first = true;
      const racing: RedisLike = {
        get: (key) => redis.get(key),
        eval: async (script, numKeys, ...args) => {
          if (first && script.includes("'NX'")) {
            first = false;
            await publish(sharedTokenKey(ID), JSON.stringify(shared('just-published')));
          }
          return redis.eval(script, numKeys, ...args);
        },
      };
      const { coordinator } = setUp({ client: racing });
      let grants = 0;
      const got = await coordinator.shared(
        ID,
        async () => (grants++, shared('mine')),
        () => true,
      );
      expect(got.accessToken).toBe('just-published');
      expect(grants).toBe(0);
    });
  });

  describe('when the lock stays taken', () => {
    it('should give up with CTP_FLEET_LOCK_TIMEOUT once lockWaitMs has passed, not a poll later', async () => {
      const { coordinator, sleeps } = setUp({ lockWaitMs: 100 });
      await holdLock(sharedTokenKey(ID));
      await expect(
        coordinator.shared(
          ID,
          async () => shared('mine'),
          () => true,
        ),
      ).rejects.toMatchObject({ code: CtpErrorCode.FleetLockTimeout });
      expect(sleeps).toEqual([50, 50]);
    });
  });

  describe('when what is published is not a token', () => {
    it.each([
      ['not JSON', 'not json'],
      ['JSON null', 'null'],
      ['no access token', JSON.stringify({ ...shared('x'), accessToken: undefined })],
      ['a string expiresAt', JSON.stringify({ ...shared('x'), expiresAt: String(T0 + HOUR) })],
      ['a string issuedAt', JSON.stringify({ ...shared('x'), issuedAt: String(T0) })],
      ['scopes that are not a list', JSON.stringify({ ...shared('x'), scopes: 'view_products:p' })],
    ])('should grant anew over a shared value with %s', async (_name, value) => {
      const { coordinator } = setUp();
      await publish(sharedTokenKey(ID), value);
      const got = await coordinator.shared(
        ID,
        async () => shared('granted'),
        () => true,
      );
      expect(got.accessToken).toBe('granted');
    });

    it.each([
      ['not JSON', 'not json'],
      ['JSON that is not a session token', JSON.stringify({ accessToken: 'x' })],
    ])('should refresh over a session value with %s', async (_name, value) => {
      const { coordinator } = setUp();
      await publish(refreshName('p:rt-1'), value);
      const got = await coordinator.refresh(
        session('old'),
        async () => session('refreshed'),
        () => true,
      );
      expect(got).toMatchObject({ accessToken: 'refreshed' });
    });
  });

  describe('when a waiter looks again', () => {
    /** A subscriber as the coordinator sees it: whether it works at all, and whether its subscription is confirmed. */
    const events = (available: boolean, live: boolean) => {
      const listened: string[] = [];
      const e = { available, live: () => live, listen: (channel: string) => void listened.push(channel) };
      return { events: e as unknown as RedisEvents, listened };
    };

    it.each([
      ['no subscriber', undefined],
      ['a subscriber whose subscription is not confirmed yet', events(true, false).events],
    ])('should poll at least every 50 ms with %s, however long pollMs is', async (_name, subscriber) => {
      const { coordinator, sleeps } = setUp({ lockWaitMs: 200, pollMs: 1_000, events: subscriber });
      await holdLock(sharedTokenKey(ID));
      await expect(
        coordinator.shared(
          ID,
          async () => shared('mine'),
          () => true,
        ),
      ).rejects.toMatchObject({ code: CtpErrorCode.FleetLockTimeout });
      expect(sleeps).toEqual([50, 50, 50, 50]);
    });

    it("should wait pollMs with a confirmed subscription: the holder's message wakes it earlier", async () => {
      const { events: subscriber, listened } = events(true, true);
      const { coordinator, sleeps } = setUp({ lockWaitMs: 1_000, pollMs: 1_000, events: subscriber });
      await holdLock(sharedTokenKey(ID));
      await expect(
        coordinator.shared(
          ID,
          async () => shared('mine'),
          () => true,
        ),
      ).rejects.toMatchObject({ code: CtpErrorCode.FleetLockTimeout });
      expect(sleeps).toEqual([1_000]);
      expect(listened).toEqual([`${PREFIX}fleet:published`]);
    });

    it('should not use a subscriber that is not available: it polls, listening to nothing', async () => {
      const { events: subscriber, listened } = events(false, true);
      const { coordinator, sleeps } = setUp({ lockWaitMs: 100, pollMs: 1_000, events: subscriber });
      await holdLock(sharedTokenKey(ID));
      await expect(
        coordinator.shared(
          ID,
          async () => shared('mine'),
          () => true,
        ),
      ).rejects.toMatchObject({ code: CtpErrorCode.FleetLockTimeout });
      expect(sleeps).toEqual([50, 50]);
      expect(listened).toEqual([]);
    });
  });

  describe('when the published result is taken', () => {
    it.each([
      ['published', (value: string) => publish(sharedTokenKey(ID), value)],
      ['stored without a fence', (value: string) => redis.hset(`${PREFIX}${sharedTokenKey(ID)}`, 'value', value)],
    ])('should cost one command, the read, while another instance holds the lock (a value %s)', async (_name, put) => {
      const scripts: string[] = [];
      const counting: RedisLike = {
        get: (key) => redis.get(key),
        eval: (script, numKeys, ...args) => (scripts.push(script), redis.eval(script, numKeys, ...args)),
      };
      const { coordinator } = setUp({ client: counting });
      await put(JSON.stringify(shared('published')));
      await holdLock(sharedTokenKey(ID));
      const got = await coordinator.shared(
        ID,
        async () => shared('mine'),
        () => true,
      );
      expect(got.accessToken).toBe('published');
      expect(scripts).toHaveLength(1);
      // Nothing woke the holder's waiters: the lock is still the holder's.
      expect(await redis.get(`${PREFIX}lock:${sharedTokenKey(ID)}`)).toBe('someone-else');
    });

    it('should give back the lock it took with it (a value stored without a fence, which no version writes)', async () => {
      const { coordinator } = setUp();
      await redis.hset(`${PREFIX}${sharedTokenKey(ID)}`, 'value', JSON.stringify(shared('unfenced')));
      let grants = 0;
      const got = await coordinator.shared(
        ID,
        async () => (grants++, shared('mine')),
        () => true,
      );
      expect(got.accessToken).toBe('unfenced');
      expect(grants).toBe(0);
      expect(await redis.exists(`${PREFIX}lock:${sharedTokenKey(ID)}`)).toBe(0);
    });
  });

  describe('when Redis fails', () => {
    it('should raise CTP_REDIS_UNAVAILABLE saying what failed, with the cause kept', async () => {
      const closed = redis.duplicate({ lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
      const { coordinator } = setUp({ client: closed });
      const error = (await coordinator
        .shared(
          ID,
          async () => shared('x'),
          () => true,
        )
        .catch((e: unknown) => e)) as CtpRedisError;
      expect(error).toBeInstanceOf(CtpRedisError);
      expect(error.code).toBe(CtpErrorCode.RedisUnavailable);
      // The first command reads the published token and takes the lock in one script, named 'lock'.
      expect(error.cause).toBeInstanceOf(Error);
      expect(error.message).toBe(
        `Redis failed to lock (${(error.cause as Error).message}); check the Redis server and the library's connection to it (CTP_REDIS_URL, redis.url or redis.clusterUrls).`,
      );
      closed.disconnect();
    });
  });
});
