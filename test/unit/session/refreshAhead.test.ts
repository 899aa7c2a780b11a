import { describe, expect, it } from 'vitest';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createTestServices } from '../../support/createTestServices';
import { putToken, storedToken } from '../../support/session/storedToken';

// Issue 19 item 6: no shopper waits for a refresh while the token is valid. The platform holds the
// refresh answer until the test releases it; time is the services' manual clock.

const MINUTE = 60_000;
/** A 1 h token renews from 54 min on (a margin of 10 % of its lifetime). */
const IN_MARGIN = 57 * MINUTE;
const EXPIRED = 61 * MINUTE;

async function heldRefreshes(options: Parameters<typeof createTestServices>[0] = {}) {
  const services = createTestServices(options);
  const storage = new MemorySessionStorage('s');
  const token = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let asked = 0;
  services.platform.on(async (call) => {
    if (call.form.get('grant_type') !== 'refresh_token') return undefined;
    asked += 1;
    await gate;
    return undefined;
  });
  /** Resolves once the platform was asked for a refresh (the background one has started). */
  const refreshAsked = async () => {
    for (let turns = 0; asked === 0; turns += 1) {
      if (turns > 100) throw new Error('no refresh was asked for');
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { services, storage, token, release, refreshAsked, asked: () => asked };
}

describe('refresh-ahead', () => {
  describe('when a call comes inside the renewal margin', () => {
    it('should serve the current token before the refresh answers, then store the refreshed one', async () => {
      const { services, storage, token, release, refreshAsked } = await heldRefreshes();
      services.clock.advance(IN_MARGIN);
      const served = await runWithCtpSession(storage, () => services.session.accessToken());
      expect(served.accessToken).toBe(token.accessToken);
      await refreshAsked();
      // The refresh has not answered: the session still holds the token it served.
      expect((await storedToken(storage))?.accessToken).toBe(token.accessToken);
      release();
      await services.session.settled();
      const stored = (await storedToken(storage))!;
      expect(stored.accessToken).not.toBe(token.accessToken);
      expect(stored.refreshToken).toBe(token.refreshToken);
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
      // The replaced access token is revoked once the refreshed one is stored.
      expect(services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token'))).toEqual([
        token.accessToken,
      ]);
    });

    it('should cause one refresh for 50 concurrent callers, each served at once', async () => {
      const { services, storage, token, release, refreshAsked } = await heldRefreshes();
      services.clock.advance(IN_MARGIN);
      const served = await runWithCtpSession(storage, () =>
        Promise.all(Array.from({ length: 50 }, () => services.session.accessToken())),
      );
      expect(new Set(served.map((t) => t.accessToken))).toEqual(new Set([token.accessToken]));
      await refreshAsked();
      release();
      await services.session.settled();
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
    });

    it('should leave the session cleared and revoke what the refresh minted when a logout comes during it', async () => {
      const { services, storage, token, release, refreshAsked } = await heldRefreshes({ revokeWaitMs: 20 });
      // Revocations that have not reached the token store yet (eventual consistency): the refresh still mints.
      services.platform.on((call) =>
        call.path === '/oauth/token/revoke' ? new Response(null, { status: 200 }) : undefined,
      );
      services.clock.advance(IN_MARGIN);
      await runWithCtpSession(storage, () => services.session.accessToken());
      await refreshAsked();
      // The logout waits for the refresh in flight at most revokeWaitMs; the refresh answers after it.
      await runWithCtpSession(storage, () => services.session.logout());
      release();
      await services.session.settled();
      expect(await storedToken(storage)).toBeUndefined();
      const revoked = services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token'));
      const minted = services.platform.mock.issuedTokens.at(-1);
      expect(minted).not.toBe(token.accessToken);
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
      expect(revoked).toEqual(expect.arrayContaining([token.accessToken, token.refreshToken, minted]));
    });

    it('should log a failed background refresh, throw it at no caller, and keep serving the token', async () => {
      const services = createTestServices({ retry: { maxRetries: 0 } });
      const storage = new MemorySessionStorage('s');
      const token = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
      services.platform.on((call) =>
        call.form.get('grant_type') === 'refresh_token' ? new Response('', { status: 503 }) : undefined,
      );
      services.clock.advance(IN_MARGIN);
      expect((await runWithCtpSession(storage, () => services.session.accessToken())).accessToken).toBe(
        token.accessToken,
      );
      await services.session.settled();
      expect(services.logger.events('ctp.renewal.deferred')).toHaveLength(1);
      expect((await storedToken(storage))?.accessToken).toBe(token.accessToken);
    });

    it('should log a background refresh that the storage failed, and reject nothing', async () => {
      const services = createTestServices();
      const inner = new MemorySessionStorage('s');
      const token = await runWithCtpSession(inner, () => services.session.ensureAnonymous());
      const failing = {
        id: 's',
        get: () => storedToken(inner),
        set: () => Promise.reject(new Error('disk full')),
        clear: () => putToken(inner, undefined),
      };
      services.clock.advance(IN_MARGIN);
      expect((await runWithCtpSession(failing, () => services.session.accessToken())).accessToken).toBe(
        token.accessToken,
      );
      await services.session.settled();
      expect(services.logger.events('ctp.renewal.ahead_failed')).toEqual([
        { event: 'ctp.renewal.ahead_failed', kind: 'anonymous', code: CtpErrorCode.SessionStorage },
      ]);
    });
  });

  describe('when the token is expired', () => {
    it('should wait for the refresh and get the new token', async () => {
      const { services, storage, token, release, refreshAsked } = await heldRefreshes();
      services.clock.advance(EXPIRED);
      let settled = false;
      const waiting = runWithCtpSession(storage, () => services.session.accessToken()).finally(() => (settled = true));
      await refreshAsked();
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      release();
      const fresh = await waiting;
      expect(fresh.accessToken).not.toBe(token.accessToken);
      expect(fresh.accessToken).toBe((await storedToken(storage))?.accessToken);
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
    });

    it('should answer after the refresh alone, leaving the replaced token valid for the calls still carrying it', async () => {
      // A revocation on the caller's path would be waited for up to a minute.
      const services = createTestServices({ revokeWaitMs: 60_000 });
      const storage = new MemorySessionStorage('s');
      const token = await runWithCtpSession(storage, () => services.session.ensureAnonymous());
      let revokeAsked = false;
      services.platform.on(async (call) => {
        if (call.path !== '/oauth/token/revoke') return undefined;
        revokeAsked = true;
        return undefined;
      });
      services.clock.advance(EXPIRED);
      const fresh = await runWithCtpSession(storage, () => services.session.accessToken());
      expect(fresh.accessToken).not.toBe(token.accessToken);
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
      expect(revokeAsked).toBe(false);
      await services.session.settled();
      expect(services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token'))).toEqual([
        token.accessToken,
      ]);
    });
  });

  describe('close()', () => {
    it('should wait for a background refresh still running', async () => {
      const { services, storage, release, refreshAsked } = await heldRefreshes();
      services.clock.advance(IN_MARGIN);
      await runWithCtpSession(storage, () => services.session.accessToken());
      await refreshAsked();
      let closed = false;
      const closing = services.close().then(() => (closed = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBe(false);
      release();
      await closing;
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
    });
  });
});
