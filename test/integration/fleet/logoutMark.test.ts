import { describe, expect, it } from 'vitest';
import { CtpSessionExpiredError } from '../../../src/errors/CtpSessionExpiredError';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { wireCtpServices as createCtpServices } from '../../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { FakePlatform, oauthError } from '../../support/FakePlatform';
import { CapturingLogger, ManualClock, testConfig } from '../../support/createTestServices';
import { useRedis } from '../../support/redis/useRedis';

// Two instances in this process on one real Redis: what tells the other instance that a session ended
// is the fleet's mark (the coordinator's endLineage, asked for by the session), not the ended lineages
// this instance remembers.

const redis = useRedis();

/** Two instances on one platform, one clock and the file's Redis. */
function twoInstances() {
  const clock = new ManualClock();
  const platform = new FakePlatform({ now: () => clock.now() });
  const instance = () =>
    createCtpServices(testConfig(), {
      fetch: platform.fetch,
      clock,
      logger: new CapturingLogger(),
      sleep: async () => undefined,
      redis: { client: redis },
    });
  return { platform, clock, one: instance(), two: instance() };
}

describe('a logout on one instance', () => {
  it("should end the session for the other instance's stale copy without a refresh reaching the platform", async () => {
    const { platform, clock, one, two } = twoInstances();
    const shared = new RedisSessionStorage(redis, 'sid');
    const token = await runWithCtpSession(shared, () => one.session.ensureAnonymous());
    // The other instance's request still holds the session as it was (a cached copy).
    const staleCopy = new MemorySessionStorage('sid', token);
    // Revocation may not have reached every node of the platform yet: the refresh token would still work.
    platform.on((call) => (call.path === '/oauth/token/revoke' ? new Response(null, { status: 200 }) : undefined));
    await runWithCtpSession(shared, () => one.session.logout());
    expect(platform.mock.isLive(token.refreshToken)).toBe(true);
    clock.advance(3_600_000);
    const error = await runWithCtpSession(staleCopy, () => two.session.accessToken()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CtpSessionExpiredError);
    expect(await staleCopy.get()).toBeUndefined();
    expect(platform.grants('refresh_token')).toHaveLength(0);
    await Promise.all([one.close(), two.close()]);
  });
});

describe('a refresh refused (invalid_grant) on one instance', () => {
  it("should end the session for the other instance's copy without its refresh reaching the platform", async () => {
    const { platform, clock, one, two } = twoInstances();
    const token = await runWithCtpSession(new MemorySessionStorage('sid'), () => one.session.ensureAnonymous());
    // The refresh token is gone on the platform (expired, evicted): its next refresh is refused.
    platform.mock.revoke(token.refreshToken);
    clock.advance(3_600_000);
    const first = new MemorySessionStorage('sid', token);
    await expect(runWithCtpSession(first, () => one.session.accessToken())).rejects.toBeInstanceOf(
      CtpSessionExpiredError,
    );
    expect(await first.get()).toBeUndefined();
    expect(platform.grants('refresh_token')).toHaveLength(1);
    // Another request's copy of the session, on the other instance: the fleet's mark answers it.
    const copy = new MemorySessionStorage('sid', token);
    await expect(runWithCtpSession(copy, () => two.session.accessToken())).rejects.toBeInstanceOf(
      CtpSessionExpiredError,
    );
    expect(await copy.get()).toBeUndefined();
    expect(platform.grants('refresh_token')).toHaveLength(1);
    await Promise.all([one.close(), two.close()]);
  });

  it('should not end the session for the other instance when the refresh failed for another reason', async () => {
    const { platform, clock, one, two } = twoInstances();
    const token = await runWithCtpSession(new MemorySessionStorage('sid'), () => one.session.ensureAnonymous());
    clock.advance(3_600_000);
    // The auth server fails for a while (a 503 is no refusal: only invalid_grant ends a session).
    let down = true;
    platform.on((call) =>
      down && call.form.get('grant_type') === 'refresh_token'
        ? oauthError(503, 'temporarily_unavailable', 'down')
        : undefined,
    );
    await expect(
      runWithCtpSession(new MemorySessionStorage('sid', token), () => one.session.accessToken()),
    ).rejects.toMatchObject({ code: 'CTP_AUTH_UNAVAILABLE' });
    down = false;
    const copy = new MemorySessionStorage('sid', token);
    const renewed = await runWithCtpSession(copy, () => two.session.accessToken());
    expect(renewed.refreshToken).toBe(token.refreshToken);
    expect(renewed.accessToken).not.toBe(token.accessToken);
    await Promise.all([one.close(), two.close()]);
  });
});

describe('a refresh published by one instance', () => {
  it("should serve another instance's copy of the same lineage while it is fresh, and not once it needs renewal itself", async () => {
    const { platform, clock, one, two } = twoInstances();
    const first = await runWithCtpSession(new MemorySessionStorage('sid'), () => one.session.ensureAnonymous());
    // Expired: the caller waits for the refresh (inside the margin it would run in the background).
    clock.advance(60 * 60_000);
    const refreshed = await runWithCtpSession(new MemorySessionStorage('sid', first), () => one.session.accessToken());
    expect(platform.grants('refresh_token')).toHaveLength(1);
    // The other instance's copy still holds the first token: it takes the published refresh.
    const reused = await runWithCtpSession(new MemorySessionStorage('sid', first), () => two.session.accessToken());
    expect(reused.accessToken).toBe(refreshed.accessToken);
    expect(platform.grants('refresh_token')).toHaveLength(1);
    // Later the published token needs renewal too: a copy of the first token refreshes rather than take it.
    clock.advance(57 * 60_000);
    await Promise.all([one.session.settled(), two.session.settled()]);
    const renewed = await runWithCtpSession(new MemorySessionStorage('sid', first), () => two.session.accessToken());
    expect(platform.grants('refresh_token')).toHaveLength(2);
    expect(renewed.accessToken).not.toBe(refreshed.accessToken);
    await Promise.all([one.close(), two.close()]);
  });
});

describe('a builder whose token the API refused (401) on one instance', () => {
  it('should get a new token, not the refused one that the other instance published', async () => {
    const { platform, clock, one, two } = twoInstances();
    const first = await runWithCtpSession(new MemorySessionStorage('sid'), () => one.session.ensureAnonymous());
    clock.advance(60 * 60_000);
    const published = await runWithCtpSession(new MemorySessionStorage('sid', first), () => one.session.accessToken());
    const storage = new MemorySessionStorage('sid', published);
    const source = await runWithCtpSession(storage, () => two.session.source());
    const renewed = await source.recover(published.accessToken);
    expect(renewed).not.toBe(published.accessToken);
    expect(platform.grants('refresh_token')).toHaveLength(2);
    await Promise.all([one.close(), two.close()]);
  });
});
