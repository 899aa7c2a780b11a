import { afterEach, describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession } from '../../../src/auth/StoredSession';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { ManualClock } from '../../support/createTestServices';
import { useRedis } from '../../support/redis/useRedis';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { holdingRefreshAnswers } from '../../support/strict/holdingRefreshAnswers';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';
import { storedToken } from '../../support/session/storedToken';

const HOUR = 3_600_000;
const redis = useRedis();
let server: StrictCommercetools | undefined;

afterEach(async () => {
  await server?.stop();
});

const token = (access: string, refresh = 'refresh-1'): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: access,
  refreshToken: refresh,
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  anonymousId: 'anon-1',
});
const stored = (access: string, refresh?: string) => toStoredSession(token(access, refresh));

describe(RedisSessionStorage, () => {
  describe('.compareAndSet', () => {
    it('should write only over the expected token pair, in one step, and clear with undefined', async () => {
      const storage = new RedisSessionStorage(redis, 'sid-1');
      expect(await storage.compareAndSet(stored('a1'), stored('a2'))).toBe(false);
      expect(await storage.compareAndSet(undefined, stored('a1'))).toBe(true);
      expect(await storage.compareAndSet(undefined, stored('a9'))).toBe(false);
      expect(await storage.compareAndSet(stored('a1', 'other-refresh'), stored('a9'))).toBe(false);
      expect(await storage.compareAndSet(stored('a1'), stored('a2'))).toBe(true);
      expect((await storedToken(storage))?.accessToken).toBe('a2');
      expect(await redis.ttl('ctp:session:sid-1')).toBeGreaterThan(0);
      expect(await storage.compareAndSet(stored('a2'), undefined)).toBe(true);
      expect(await redis.exists('ctp:session:sid-1')).toBe(0);
    });

    it('should treat a value that reads as no session as no session', async () => {
      await redis.set('ctp:session:sid-2', 'not json');
      const storage = new RedisSessionStorage(redis, 'sid-2');
      expect(await storedToken(storage)).toBeUndefined();
      expect(await storage.compareAndSet(undefined, stored('a1'))).toBe(true);
      expect((await storedToken(storage))?.accessToken).toBe('a1');
    });
  });
});

describe('one session on two instances sharing Redis', () => {
  it('should leave no token live when one instance logs out while the other refreshes', async () => {
    const clock = new ManualClock();
    server = await new StrictCommercetools({ now: () => clock.now() }).start();
    server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
    const customerId = server.addCustomer('erin@example.com', 'Erin-Pa55word!');
    const config = createCtpConfig({
      projectKey: server.projectKey,
      clientId: STRICT_CLIENT.id,
      clientSecret: STRICT_CLIENT.secret,
      authUrl: server.url,
      apiUrl: server.url,
    });
    // Instance 2's refresh reaches the platform; its answer is held until instance 1 has signed out.
    const hold = holdingRefreshAnswers();
    const one = createCtpServices(config, { clock, redis: { client: redis }, revokeWaitMs: 5_000 });
    const two = createCtpServices(config, { clock, redis: { client: redis }, fetch: hold.fetch, revokeWaitMs: 5_000 });
    const storageOf = () => new RedisSessionStorage(redis, 'shared-session');
    await runWithCtpSession(storageOf(), () => one.session.login('erin@example.com', 'Erin-Pa55word!'));
    clock.advance(HOUR);
    const refreshing = runWithCtpSession(storageOf(), () => two.session.accessToken()).catch((e: unknown) => e);
    await hold.refreshSent;
    await runWithCtpSession(storageOf(), () => one.session.logout());
    hold.release();
    const error = (await refreshing) as { code?: string };
    await Promise.all([one.session.settled(), two.session.settled()]);
    expect(error.code).toBe(CtpErrorCode.SessionExpired);
    expect(await storageOf().get()).toBeUndefined();
    expect([...server.accessTokens.values()].filter((grant) => grant.customerId === customerId)).toEqual([]);
    expect([...server.refreshTokens.values()].filter((grant) => grant.customerId === customerId)).toEqual([]);
  });
});
