import { afterEach, describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpSessionError } from '../../../src/errors/CtpSessionError';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';
import { holdingRefreshAnswers } from '../../support/strict/holdingRefreshAnswers';
import { storedToken } from '../../support/session/storedToken';

const HOUR = 3_600_000;
let h: StrictHarness;

afterEach(async () => {
  await h?.stop();
});

/** Whether the strict server still honours `accessToken` on the API. */
async function answersApi(harness: StrictHarness, accessToken: string): Promise<boolean> {
  const response = await fetch(`${harness.server.url}/${harness.server.projectKey}/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  await response.arrayBuffer();
  return response.status !== 401;
}

describe('session races over real HTTP against the strict server', () => {
  describe('when the shopper logs out while a refresh of the session is in flight', () => {
    it('should resolve logout() only when no token the library obtained for the session still answers', async () => {
      const hold = holdingRefreshAnswers();
      h = await createStrictHarness({ fetch: hold.fetch, revokeWaitMs: 5_000 });
      const storage = new MemorySessionStorage('s');
      const signedIn = await runWithCtpSession(storage, () => h.session.login(h.customer.email, h.customer.password));
      h.clock.advance(HOUR); // inside the renewal margin of the 1 h token
      const refreshing = runWithCtpSession(storage, () => h.session.accessToken()).catch((e: unknown) => e);
      await hold.refreshSent;
      // The refresh reached the platform first; its answer (a new access token) arrives after the logout began.
      const loggingOut = runWithCtpSession(storage, () => h.session.logout());
      setTimeout(() => hold.release(), 20);
      await loggingOut;
      const minted = [...h.server.accessTokens.keys()];
      expect(await storedToken(storage)).toBeUndefined();
      // The strict server does not cascade a refresh-token revocation to access tokens: each was revoked.
      expect(await answersApi(h, signedIn.accessToken)).toBe(false);
      expect([...h.server.accessTokens.values()].filter((grant) => grant.customerId === h.customer.id)).toEqual([]);
      expect([...h.server.refreshTokens.values()].filter((grant) => grant.customerId === h.customer.id)).toEqual([]);
      expect(minted).toEqual([]);
      expect(((await refreshing) as { code?: string }).code).toBe(CtpErrorCode.SessionExpired);
      expect(h.server.grants.refresh_token).toBe(1);
    });
  });

  describe("when a request builder of shopper A runs in shopper B's request and gets a 401", () => {
    it("should renew A's session, never B's", async () => {
      h = await createStrictHarness();
      h.server.addCustomer('dave@example.com', 'Dave-Pa55word!');
      const alice = new MemorySessionStorage('a');
      const bob = new MemorySessionStorage('b');
      await runWithCtpSession(alice, () => h.session.login(h.customer.email, h.customer.password));
      await runWithCtpSession(bob, () => h.session.login('dave@example.com', 'Dave-Pa55word!'));
      const builderOfA = await runWithCtpSession(alice, () => h.client.customerApiRoot());
      const tokenOfA = (await storedToken(alice)) as CtpAuthToken;
      const tokenOfB = (await storedToken(bob)) as CtpAuthToken;
      h.server.revokeAccessToken(tokenOfA.accessToken);
      const { body } = await runWithCtpSession(bob, () => builderOfA.me().get().execute());
      expect(body.id).toBe(h.customer.id);
      expect((await storedToken(alice))?.accessToken).not.toBe(tokenOfA.accessToken);
      expect(await storedToken(bob)).toEqual(tokenOfB);
    });

    it("should fail the call, retrying with no other token, when A's session now holds another sign-in", async () => {
      h = await createStrictHarness();
      h.server.addCustomer('dave@example.com', 'Dave-Pa55word!');
      const shared = new MemorySessionStorage('kiosk');
      await runWithCtpSession(shared, () => h.session.login(h.customer.email, h.customer.password));
      const builderOfA = await runWithCtpSession(shared, () => h.client.customerApiRoot());
      const tokenOfA = (await storedToken(shared))!;
      await runWithCtpSession(shared, () => h.session.login('dave@example.com', 'Dave-Pa55word!'));
      h.server.revokeAccessToken(tokenOfA.accessToken);
      const calls = h.server.apiCalls.length;
      const error = await runWithCtpSession(shared, () =>
        builderOfA
          .me()
          .get()
          .execute()
          .catch((e: unknown) => e),
      );
      expect(error).toBeInstanceOf(CtpSessionError);
      expect((error as CtpSessionError).code).toBe(CtpErrorCode.SessionChanged);
      expect(h.server.apiCalls.slice(calls).map((c) => c.status)).toEqual([401]);
    });
  });

  describe('when the refresh fails for any reason but invalid_grant', () => {
    it('should keep the session and, once the token expired, fail with a transient error', async () => {
      h = await createStrictHarness();
      const storage = new MemorySessionStorage('s');
      const signedIn = await runWithCtpSession(storage, () => h.session.login(h.customer.email, h.customer.password));
      h.server.failFlow('refresh_token', { kind: 'page', status: 403 });
      h.clock.advance(2 * HOUR);
      const error = (await runWithCtpSession(storage, () => h.client.customerApiRoot().catch((e: unknown) => e))) as {
        code?: string;
      };
      expect(error.code).toBe(CtpErrorCode.AuthUnavailable);
      expect(await storedToken(storage)).toEqual(signedIn);
      expect(h.logger.events('ctp.session.expired')).toEqual([]);
    });
  });
});
