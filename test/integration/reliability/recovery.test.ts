import { afterEach, describe, expect, it } from 'vitest';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpScopeError } from '../../../src/errors/CtpScopeError';
import { CtpSessionExpiredError } from '../../../src/errors/CtpSessionExpiredError';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';
import { storedToken } from '../../support/session/storedToken';

const HOUR = 3_600_000;
let h: StrictHarness;

afterEach(async () => {
  await h?.stop();
});

async function signedIn(harness: StrictHarness) {
  const storage = new MemorySessionStorage('s');
  await runWithCtpSession(storage, () => harness.session.login(harness.customer.email, harness.customer.password));
  return storage;
}

describe('recovery against the strict server', () => {
  describe('when an API call is answered 401 invalid_token', () => {
    it("should refresh the shopper once, retry once, in the shopper's own name", async () => {
      h = await createStrictHarness();
      const storage = await signedIn(h);
      await runWithCtpSession(storage, async () => {
        const apiRoot = await h.client.customerApiRoot();
        const before = (await storedToken(storage))!;
        h.server.revokeAccessToken(before.accessToken);
        const { body } = await apiRoot.me().get().execute();
        expect(body.id).toBe(h.customer.id);
      });
      expect(h.server.grants.refresh_token).toBe(1);
      expect(h.server.grants.client_credentials).toBe(0);
      expect(h.server.apiCalls.map((c) => [c.path, c.status, c.kind])).toEqual([
        ['/me', 401, 'none'],
        ['/me', 200, 'customer'],
      ]);
    });

    it('should renew the integration with a new grant', async () => {
      h = await createStrictHarness();
      const apiRoot = await h.client.integrationApiRoot();
      for (const [token, grant] of h.server.accessTokens)
        if (!grant.customerId && !grant.anonymousId) h.server.revokeAccessToken(token);
      await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(h.server.grants.client_credentials).toBe(2);
    });

    it("should never retry a shopper's call with another token when the refresh is refused", async () => {
      h = await createStrictHarness();
      const storage = await signedIn(h);
      const error = await runWithCtpSession(storage, async () => {
        await h.client.integrationApiRoot(); // an integration token is in the process
        const apiRoot = await h.client.customerApiRoot();
        h.server.revokeCustomerTokens(h.customer.id); // password reset
        return apiRoot
          .me()
          .get()
          .execute()
          .catch((e: unknown) => e);
      });
      expect(error).toBeInstanceOf(CtpSessionExpiredError);
      expect(h.server.apiCalls.map((c) => c.kind)).toEqual(['none']);
      expect(await storedToken(storage)).toBeUndefined();
    });
  });

  describe('when the refresh token is evicted', () => {
    it('should clear the session and raise CTP_SESSION_EXPIRED once, with no loop', async () => {
      h = await createStrictHarness();
      const storage = await signedIn(h);
      h.server.evictRefreshToken((await storedToken(storage))!.refreshToken);
      h.clock.advance(HOUR);
      await runWithCtpSession(storage, async () => {
        await expect(h.client.customerApiRoot()).rejects.toMatchObject({ code: CtpErrorCode.SessionExpired });
        // The visitor starts anonymous again only when the app asks for it.
        await expect(h.client.customerApiRoot({ createAnonymous: false })).rejects.toMatchObject({
          code: CtpErrorCode.NoSession,
        });
        expect(h.server.grants.anonymous).toBe(0);
        await h.client.customerApiRoot();
      });
      expect(h.server.grants.refresh_token).toBe(1);
      expect(h.server.grants.anonymous).toBe(1);
      expect((await storedToken(storage))?.kind).toBe('anonymous');
    });
  });

  describe('when the token expires on the server', () => {
    it('should refresh inside the margin, before the server refuses it', async () => {
      h = await createStrictHarness();
      h.server.accessTokenTtlSeconds = 3600;
      const storage = await signedIn(h);
      h.clock.advance(55 * 60_000);
      await runWithCtpSession(storage, async () => (await h.client.customerApiRoot()).me().get().execute());
      expect(h.server.grants.refresh_token).toBe(1);
      expect(h.server.apiCalls.map((c) => c.status)).toEqual([200]);
    });
  });

  describe('logout during an in-flight refresh', () => {
    it('should not bring the session back', async () => {
      h = await createStrictHarness();
      const storage = await signedIn(h);
      const token = (await storedToken(storage))!;
      const otherRequest = new MemorySessionStorage('s', token);
      h.clock.advance(HOUR);
      let release!: () => void;
      h.server.authFaults.push({ kind: 'slow', release: new Promise<void>((resolve) => (release = resolve)) });
      const refreshing = runWithCtpSession(otherRequest, () => h.session.accessToken()).catch((e: unknown) => e);
      await runWithCtpSession(storage, () => h.session.logout());
      release();
      expect(await refreshing).toBeInstanceOf(CtpSessionExpiredError);
      expect(await storedToken(storage)).toBeUndefined();
      // The refresh reached the server after the revocation: refused, and this copy cleared too.
      expect(await storedToken(otherRequest)).toBeUndefined();
      expect(h.server.grants.refresh_token).toBe(1);
    });
  });

  describe('scopes', () => {
    it('should raise CTP_INVALID_SCOPE naming the request when the API client lacks a scope', async () => {
      h = await createStrictHarness({ clientScopes: ['view_categories', 'view_products'] });
      const error = await h.client.integrationApiRoot().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.InvalidScope, status: 400 });
      expect((error as Error).message).toContain(`manage_orders:${h.server.projectKey}`);
    });

    it('should refuse the token of a manage_project client, which cannot be narrowed', async () => {
      h = await createStrictHarness({ clientScopes: ['manage_project'] });
      const error = (await h.client.guestApiRoot().catch((e: unknown) => e)) as CtpScopeError;
      expect(error).toBeInstanceOf(CtpScopeError);
      expect(error.excess).toEqual([`manage_project:${h.server.projectKey}`]);
    });

    it('should pass a 403 insufficient_scope through without retrying', async () => {
      h = await createStrictHarness({ scopes: { guest: ['view_published_products', 'create_anonymous_token'] } });
      const apiRoot = await h.client.guestApiRoot();
      const error = await apiRoot
        .categories()
        .withId({ ID: 'c' })
        .get()
        .execute()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ statusCode: 403 });
      expect(h.server.apiCalls).toHaveLength(1);
    });
  });
});
