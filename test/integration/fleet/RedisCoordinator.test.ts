import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SharedToken } from '../../../src/auth/CtpAuthToken';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpOAuthError } from '../../../src/errors/CtpOAuthError';
import { fleetChannel, sharedTokenKey } from '../../../src/fleet/fleetKeys';
import { RedisCoordinator } from '../../../src/fleet/RedisCoordinator';
import { RedisEvents } from '../../../src/fleet/RedisEvents';
import type { SharedTokenId } from '../../../src/tokens/TokenCoordinator';
import { CapturingLogger } from '../../support/createTestServices';
import { startRedis, type RedisProcess } from '../../support/redis/startRedis';

let redisServer: RedisProcess;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});

afterAll(async () => {
  await redis.quit();
  await redisServer.stop();
});

const id = (name: 'integration' | 'guest', over: Partial<SharedTokenId> = {}): SharedTokenId => ({
  name,
  authUrl: 'https://auth.example',
  projectKey: 'p',
  clientId: 'client-a',
  scope: `view_products:p`,
  ...over,
});

const token = (name: string): SharedToken => ({
  accessToken: name,
  issuedAt: Date.now(),
  expiresAt: Date.now() + 3_600_000,
  scopes: [],
});

function coordinator(prefix: string, logger = new CapturingLogger(), lockTtlMs = 150, lockWaitMs = 2_000) {
  return new RedisCoordinator({
    redis,
    keyPrefix: prefix,
    lockTtlMs,
    lockWaitMs,
    pollMs: 10,
    clock: { now: () => Date.now() },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    logger,
  });
}

describe(RedisCoordinator, () => {
  it('should not let a holder whose lock expired overwrite the token of the holder after it (fencing)', async () => {
    const logger = new CapturingLogger();
    const slow = coordinator('fence:', logger);
    const fast = coordinator('fence:');
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((r) => (releaseSlow = r));
    const first = slow.shared(
      id('integration'),
      async () => {
        await slowGate;
        return token('late-token');
      },
      () => true,
    );
    // The slow holder's lock (150 ms) expires; the next instance takes it and publishes first.
    const second = await fast.shared(
      id('integration'),
      async () => token('newer-token'),
      () => true,
    );
    expect(second.accessToken).toBe('newer-token');
    releaseSlow();
    expect((await first).accessToken).toBe('late-token');
    expect(logger.events('ctp.fleet.fenced')).toHaveLength(1);
    // What the fleet reads is still the newer token.
    const read = await coordinator('fence:').shared(
      id('integration'),
      async () => token('should-not-grant'),
      () => true,
    );
    expect(read.accessToken).toBe('newer-token');
  });

  it('should let a fence counter expire a day after the result it numbered, never before it', async () => {
    const c = coordinator('fencettl:');
    await c.shared(
      id('integration'),
      async () => token('t1'),
      () => true,
    );
    const keys = await redis.keys('fencettl:*');
    const fence = keys.find((k) => k.includes('fence:'))!;
    const result = keys.find((k) => !k.includes('fence:') && !k.includes('lock:'))!;
    expect(fence).toBeDefined();
    expect(await redis.get(fence)).toBe('1');
    const [fenceLeft, resultLeft] = [await redis.pttl(fence), await redis.pttl(result)];
    // Not kept for ever (-1), and longer than the result: a counter that started again under it
    // would have every newer token refused.
    expect(resultLeft).toBeGreaterThan(3_000_000);
    expect(fenceLeft).toBeGreaterThan(resultLeft + 23 * 3_600_000);
    expect(fenceLeft).toBeLessThanOrEqual(resultLeft + 24 * 3_600_000 + 1_000);
  });

  it('should reuse a published token instead of granting again', async () => {
    let grants = 0;
    const a = coordinator('reuse:');
    const b = coordinator('reuse:');
    const results = await Promise.all(
      [a, b, a, b].map((c) =>
        c.shared(
          id('guest'),
          async () => token(`g${++grants}`),
          () => true,
        ),
      ),
    );
    expect(grants).toBe(1);
    expect(new Set(results.map((t) => t.accessToken)).size).toBe(1);
  });

  it('should give up with CTP_FLEET_LOCK_TIMEOUT when the lock is held longer than lockWaitMs', async () => {
    const holder = coordinator('timeout:', new CapturingLogger(), 5_000, 5_000);
    let release: (() => void) | undefined;
    const held = holder.shared(
      id('guest'),
      () => new Promise<SharedToken>((r) => (release = () => r(token('x')))),
      () => true,
    );
    // The holder's grant runs once it holds the lock.
    await vi.waitFor(() => expect(release).toBeDefined(), { timeout: 5_000, interval: 5 });
    await expect(
      coordinator('timeout:', new CapturingLogger(), 5_000, 100).shared(
        id('guest'),
        async () => token('y'),
        () => true,
      ),
    ).rejects.toMatchObject({ code: CtpErrorCode.FleetLockTimeout });
    release!();
    await held;
  });

  describe('.shared', () => {
    describe('when two instances differ in auth URL, project, client, scope parameter or token name', () => {
      it('should give each its own token and key, and reuse a token only for an identical id', async () => {
        const base = id('integration');
        const variants: SharedTokenId[] = [
          base,
          { ...base, authUrl: 'https://auth.other.example' },
          { ...base, projectKey: 'q' },
          { ...base, clientId: 'client-b' },
          { ...base, scope: 'view_products:p view_orders:p' },
          { ...base, scope: 'view_products:p ' },
          { ...base, name: 'guest' },
        ];
        const c = coordinator('who:');
        const got: string[] = [];
        for (const [i, variant] of variants.entries())
          got.push(
            (
              await c.shared(
                variant,
                async () => token(`t${i}`),
                () => true,
              )
            ).accessToken,
          );
        expect(got).toEqual(variants.map((_, i) => `t${i}`));
        expect(new Set(variants.map(sharedTokenKey)).size).toBe(variants.length);
        // The same id from another instance reads the token instead of granting.
        const again = await coordinator('who:').shared(
          { ...base },
          async () => token('granted-again'),
          () => true,
        );
        expect(again.accessToken).toBe('t0');
      });

      it('should name the key by token name and a hash, with no client id, project or scope readable in it', async () => {
        const c = coordinator('fmt:');
        await c.shared(
          id('guest', { clientId: 'client-visible?', scope: 'view_published_products:p' }),
          async () => token('g'),
          () => true,
        );
        const keys = await redis.keys('fmt:*');
        const value = keys.find((k) => k.startsWith('fmt:shared:'));
        expect(value).toMatch(/^fmt:shared:guest:\{[A-Za-z0-9_-]{43}\}$/);
        // The fencing counter outlives the lock; both carry the result key's hash tag (one cluster slot).
        const tag = value!.slice(value!.indexOf('{'));
        expect(keys.filter((k) => k !== value).sort()).toEqual([`fmt:fence:shared:guest:${tag}`]);
        for (const key of keys) {
          expect(key).not.toContain('client-visible');
          expect(key).not.toContain('view_published_products');
          expect(key).not.toContain('auth.example');
        }
      });
    });

    describe('when the cached token is not fresh for this instance', () => {
      it('should grant anew instead of using it', async () => {
        await coordinator('stale:').shared(
          id('integration'),
          async () => token('cached'),
          () => true,
        );
        const got = await coordinator('stale:').shared(
          id('integration'),
          async () => token('fresh'),
          (t) => t.accessToken !== 'cached',
        );
        expect(got.accessToken).toBe('fresh');
      });
    });
  });

  describe('.refresh', () => {
    const session = (refreshToken: string): CtpAuthToken => ({
      kind: 'customer',
      accessToken: 'at-old',
      refreshToken,
      issuedAt: Date.now() - 7_200_000,
      expiresAt: Date.now() - 1_000,
      scopes: [],
      customerId: 'c1',
    });
    const refused = () =>
      new CtpOAuthError(CtpErrorCode.AuthRejected, 'refused', {
        status: 400,
        error: 'invalid_grant',
        flow: 'refresh_token',
      });

    // What a failure means is the session's to decide (SessionRenewal): the coordinator ends nothing by itself.
    describe.each([
      ['the auth server refuses the refresh token', refused],
      ['the refresh fails for another reason', () => new Error('network down')],
    ])('when %s', (_when, failure) => {
      it('should pass the error on unchanged and end nothing: the next instance refreshes', async () => {
        const error = failure();
        await expect(
          coordinator('failed:').refresh(
            session('rt-failed'),
            async () => Promise.reject(error),
            () => true,
          ),
        ).rejects.toBe(error);
        const fresh = { ...session('rt-failed'), accessToken: 'at-new', expiresAt: Date.now() + 3_600_000 };
        await expect(
          coordinator('failed:').refresh(
            session('rt-failed'),
            async () => fresh,
            () => true,
          ),
        ).resolves.toEqual(fresh);
        await redis.del(await redis.keys('failed:*'));
      });
    });
  });

  describe('.endLineage', () => {
    const stored: CtpAuthToken = {
      kind: 'anonymous',
      accessToken: 'at-x',
      refreshToken: 'rt-logged-out',
      issuedAt: Date.now(),
      expiresAt: Date.now() + 1_000,
      scopes: [],
      anonymousId: 'a1',
    };

    it("should make every instance's later refresh of that lineage answer 'ended', without refreshing, for ttlMs", async () => {
      await coordinator('logout:').endLineage('rt-logged-out', 30_000);
      let refreshed = 0;
      await expect(
        coordinator('logout:').refresh(
          stored,
          async () => (refreshed++, stored),
          () => false,
        ),
      ).resolves.toBe('ended');
      expect(refreshed).toBe(0);
      const [mark] = await redis.keys('logout:refresh:*');
      expect(await redis.pttl(mark!)).toBeGreaterThan(29_000);
      expect(await redis.pttl(mark!)).toBeLessThanOrEqual(30_000);
      // Another lineage is untouched.
      await expect(
        coordinator('logout:').refresh(
          { ...stored, refreshToken: 'rt-other' },
          async () => stored,
          () => true,
        ),
      ).resolves.toBe(stored);
    });

    it('should keep a refresh in flight from publishing over the mark', async () => {
      const logger = new CapturingLogger();
      const minted = { ...stored, refreshToken: 'rt-in-flight', accessToken: 'at-minted' };
      const got = await coordinator('inflight:', logger).refresh(
        { ...stored, refreshToken: 'rt-in-flight' },
        async () => {
          await coordinator('inflight:').endLineage('rt-in-flight', 30_000);
          return minted;
        },
        () => true,
      );
      // The holder gets what it minted (its session decides), but the fleet reads the mark.
      expect(got).toBe(minted);
      expect(logger.events('ctp.fleet.fenced')).toHaveLength(1);
      await expect(
        coordinator('inflight:').refresh(
          { ...stored, refreshToken: 'rt-in-flight' },
          async () => minted,
          () => true,
        ),
      ).resolves.toBe('ended');
    });
  });

  describe('when instances wait for a holder', () => {
    // Waiters that would look again only after a minute: only the holder's PUBLISH can wake them in time.
    const events: RedisEvents[] = [];
    afterAll(async () => {
      await Promise.all(events.map((e) => e.close()));
    });
    function subscribed(prefix: string) {
      const e = new RedisEvents({ redis, logger: new CapturingLogger(), closeTimeoutMs: 1_000 });
      events.push(e);
      // Counts only the waits of a subscribed waiter (the fallback poll); before that it polls every 50 ms.
      let sleeps = 0;
      const c = new RedisCoordinator({
        redis,
        keyPrefix: prefix,
        lockTtlMs: 60_000,
        lockWaitMs: 120_000,
        pollMs: 60_000,
        events: e,
        clock: { now: () => Date.now() },
        sleep: (ms) => ((sleeps += ms === 60_000 ? 1 : 0), new Promise((r) => setTimeout(r, ms).unref())),
        logger: new CapturingLogger(),
      });
      return { c, e, sleeps: () => sleeps };
    }
    async function untilLive(e: RedisEvents, prefix: string) {
      await vi.waitFor(() => expect(e.live(fleetChannel(prefix))).toBe(true), { timeout: 1_000, interval: 5 });
    }

    it('should wake each waiting instance when the holder publishes, not at its next poll', async () => {
      const holder = subscribed('wake:');
      const waiters = [subscribed('wake:'), subscribed('wake:'), subscribed('wake:')];
      let release: ((t: SharedToken) => void) | undefined;
      let grants = 0;
      const held = holder.c.shared(
        id('guest'),
        () => ((grants += 1), new Promise<SharedToken>((r) => (release = r))),
        () => true,
      );
      // The holder's grant runs once it holds the lock.
      await vi.waitFor(() => expect(release).toBeDefined(), { timeout: 5_000, interval: 5 });
      const waiting = waiters.map((w) =>
        w.c.shared(
          id('guest'),
          async () => ((grants += 1), token('second-grant')),
          () => true,
        ),
      );
      for (const w of waiters) await untilLive(w.e, 'wake:');
      // Each waiter has found the lock held and is waiting, subscribed (its fallback poll is 60 s away).
      await vi.waitFor(() => expect(waiters.every((w) => w.sleeps() > 0)).toBe(true), { timeout: 1_000, interval: 5 });
      const started = Date.now();
      release!(token('published'));
      const got = await Promise.all([held, ...waiting]);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(got.map((t) => t.accessToken)).toEqual(['published', 'published', 'published', 'published']);
      expect(grants).toBe(1);
    });

    it('should wake the waiters to compete for the lock at once when the holder fails', async () => {
      const holder = subscribed('failwake:');
      const waiter = subscribed('failwake:');
      let fail: ((e: Error) => void) | undefined;
      const held = holder.c.shared(
        id('guest'),
        () => new Promise<SharedToken>((_, reject) => (fail = reject)),
        () => true,
      );
      await vi.waitFor(() => expect(fail).toBeDefined(), { timeout: 5_000, interval: 5 });
      const waiting = waiter.c.shared(
        id('guest'),
        async () => token('by-the-waiter'),
        () => true,
      );
      await untilLive(waiter.e, 'failwake:');
      await vi.waitFor(() => expect(waiter.sleeps()).toBeGreaterThan(0), { timeout: 1_000, interval: 5 });
      fail!(new Error('auth down'));
      await expect(held).rejects.toThrow('auth down');
      // Without the release's message this would wait for the 60 s lock expiry or poll.
      await expect(waiting).resolves.toMatchObject({ accessToken: 'by-the-waiter' });
    });

    it("should answer 'ended' to a waiting instance, which refreshes nothing, when the holder ends the lineage before its refresh fails", async () => {
      const holder = subscribed('endwake:');
      const waiter = subscribed('endwake:');
      const lineage: CtpAuthToken = {
        kind: 'anonymous',
        accessToken: 'at-old',
        refreshToken: 'rt-refused',
        issuedAt: Date.now() - 7_200_000,
        expiresAt: Date.now() - 1_000,
        scopes: [],
        anonymousId: 'a1',
      };
      let refuse: (() => void) | undefined;
      const refusal = new Error('refused');
      const held = holder.c.refresh(
        lineage,
        async () => {
          await new Promise<void>((r) => (refuse = r));
          // As SessionRenewal does on invalid_grant: the mark is written while this instance still holds the lock.
          await holder.c.endLineage('rt-refused', 60_000);
          throw refusal;
        },
        () => true,
      );
      await vi.waitFor(() => expect(refuse).toBeDefined(), { timeout: 5_000, interval: 5 });
      let refreshedByWaiter = 0;
      const waiting = waiter.c.refresh(
        lineage,
        async () => (refreshedByWaiter++, lineage),
        () => false,
      );
      await untilLive(waiter.e, 'endwake:');
      await vi.waitFor(() => expect(waiter.sleeps()).toBeGreaterThan(0), { timeout: 1_000, interval: 5 });
      refuse!();
      await expect(held).rejects.toBe(refusal);
      await expect(waiting).resolves.toBe('ended');
      expect(refreshedByWaiter).toBe(0);
    });
  });
});
