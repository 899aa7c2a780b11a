import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpInvalidCredentialsError } from '../../../src/errors/CtpInvalidCredentialsError';
import { CtpSessionExpiredError } from '../../../src/errors/CtpSessionExpiredError';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import type { LegacySessionStorage } from '../../../src/session/fromLegacyStorage';
import { API_URL, AUTH_URL, PROJECT, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';
import { putToken, storedToken } from '../../support/session/storedToken';

const HOUR = 3_600_000;
const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };

async function anonymousSession(services: ReturnType<typeof createTestServices>, id = 's') {
  const storage = new MemorySessionStorage(id);
  await runWithCtpSession(storage, () => services.session.ensureAnonymous());
  return storage;
}

describe('CtpSession', () => {
  describe('.source', () => {
    it("should give each storage object its own source, even one holding the same token (a builder recovers into its own request's copy)", async () => {
      const services = createTestServices();
      const token = (await (await anonymousSession(services, 'shared')).get())!;
      const [a, b] = [new MemorySessionStorage('shared', token), new MemorySessionStorage('shared', token)];
      const fromA = await runWithCtpSession(a, () => services.session.source());
      const fromB = await runWithCtpSession(b, () => services.session.source());
      expect(fromA.key).toBe(a);
      expect(fromB.key).toBe(b);
      expect((await runWithCtpSession(a, () => services.session.source())).key).toBe(a);
    });

    it('should give a new source once the access token changed within the same lineage (a refresh keeps the refresh token)', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      const before = await runWithCtpSession(storage, () => services.session.source());
      services.clock.advance(HOUR);
      const after = await runWithCtpSession(storage, () => services.session.source());
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(after.accessToken).toBe((await storedToken(storage))!.accessToken);
    });
  });

  describe('.accessToken when the token is inside its renewal margin', () => {
    it('should cause exactly one refresh for 50 concurrent customerApiRoot() calls', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      const before = (await storedToken(storage))!;
      services.clock.advance(HOUR);
      await runWithCtpSession(storage, () =>
        Promise.all(Array.from({ length: 50 }, () => services.client.customerApiRoot())),
      );
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
      const after = (await storedToken(storage))!;
      expect(after.accessToken).not.toBe(before.accessToken);
      // commercetools returns no refresh token on refresh: the original is kept.
      expect(after.refreshToken).toBe(before.refreshToken);
      expect(after.anonymousId).toBe(before.anonymousId);
      expect(after.expiresAt).toBe(services.clock.now() + 3600 * 1000);
    });

    it('should cause one refresh when 50 requests of one shopper hold separate storage objects', async () => {
      const services = createTestServices();
      const first = await anonymousSession(services, 'shared');
      const token = (await storedToken(first))!;
      services.clock.advance(HOUR);
      const stores = Array.from({ length: 50 }, () => new MemorySessionStorage('shared', token));
      await Promise.all(stores.map((s) => runWithCtpSession(s, () => services.client.customerApiRoot())));
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
      const written = await Promise.all(stores.map((s) => storedToken(s)));
      expect(new Set(written.map((t) => t?.accessToken)).size).toBe(1);
    });

    it('should keep 50 parallel sessions apart, every API call carrying its own session token', async () => {
      const services = createTestServices();
      const stores = await Promise.all(Array.from({ length: 50 }, (_, i) => anonymousSession(services, `s${i}`)));
      services.clock.advance(HOUR);
      await Promise.all(
        stores.map((storage) =>
          runWithCtpSession(storage, async () => {
            const apiRoot = await services.client.customerApiRoot();
            const { body: cart } = await apiRoot
              .me()
              .carts()
              .post({ body: { currency: 'EUR' } })
              .execute();
            expect(cart.anonymousId).toBe((await storedToken(storage))?.anonymousId);
          }),
        ),
      );
      expect(services.platform.grants('refresh_token')).toHaveLength(50);
      const ids = await Promise.all(stores.map(async (s) => (await storedToken(s))?.anonymousId));
      expect(new Set(ids).size).toBe(50);
      for (const call of services.platform.calls.filter((c) => c.url.startsWith(API_URL))) {
        expect(call.identity?.kind).toBe('anonymous');
      }
    });
  });

  describe('when the refresh token is refused', () => {
    it('should clear the session and throw CTP_SESSION_EXPIRED, starting no anonymous session', async () => {
      const services = createTestServices();
      const storage = new MemorySessionStorage('s');
      await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password));
      // Evicted (LRU) or the password was reset: no refresh token refreshes any more.
      for (const token of services.platform.mock.issuedTokens)
        if (token.startsWith(`${PROJECT}:`)) services.platform.mock.revoke(token);
      services.clock.advance(HOUR);
      const results = await runWithCtpSession(storage, () =>
        Promise.allSettled(Array.from({ length: 5 }, () => services.client.customerApiRoot())),
      );
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(CtpSessionExpiredError);
      }
      expect(await storedToken(storage)).toBeUndefined();
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
      expect(services.platform.grants('anonymous')).toHaveLength(0);
      expect(services.logger.events('ctp.session.expired')).toHaveLength(1);
    });
  });

  describe('when the refresh answer is malformed', () => {
    it('should store nothing and raise CTP_TOKEN_RESPONSE_INVALID', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      const before = await storedToken(storage);
      services.platform.on((call) =>
        call.form.get('grant_type') === 'refresh_token'
          ? new Response('<html>oops</html>', { status: 200 })
          : undefined,
      );
      services.clock.advance(HOUR);
      await expect(runWithCtpSession(storage, () => services.client.customerApiRoot())).rejects.toMatchObject({
        code: CtpErrorCode.TokenResponseInvalid,
      });
      expect(await storedToken(storage)).toEqual(before);
    });
  });

  describe('when the auth host fails while the token is still valid', () => {
    it('should keep using the current token', async () => {
      const services = createTestServices({ retry: { maxRetries: 0 } });
      const storage = await anonymousSession(services);
      const before = await storedToken(storage);
      services.platform.on((call) =>
        call.form.get('grant_type') === 'refresh_token' ? new Response('', { status: 503 }) : undefined,
      );
      services.clock.advance(57 * 60_000);
      const token = await runWithCtpSession(storage, () => services.session.accessToken());
      expect(token.accessToken).toBe(before?.accessToken);
      expect(await storedToken(storage)).toEqual(before);
    });
  });

  describe('when the session storage fails to write', () => {
    it('should raise CTP_SESSION_STORAGE and leave the stored token as it was', async () => {
      const services = createTestServices();
      const inner = await anonymousSession(services);
      const before = await storedToken(inner);
      const failing: LegacySessionStorage = {
        id: 's',
        get: () => storedToken(inner),
        set: async () => Promise.reject(new Error('disk full')),
        clear: () => putToken(inner, undefined),
      };
      services.clock.advance(HOUR);
      const error = await runWithCtpSession(failing, () => services.client.customerApiRoot()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.SessionStorage });
      expect(await storedToken(inner)).toEqual(before);
    });
  });

  describe('.login', () => {
    it('should sign in with the anonymousId before storing the customer token, then revoke the anonymous tokens', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      const anonymous = (await storedToken(storage))!;
      const cart = await runWithCtpSession(storage, async () => {
        const apiRoot = await services.client.customerApiRoot();
        const { body } = await apiRoot
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        const token = await services.session.login(ALICE.email, ALICE.password);
        expect(token.kind).toBe('customer');
        expect(token.customerId).toBe('customer-alice');
        return body;
      });
      await new Promise((resolve) => setImmediate(resolve)); // revocation runs after login returns
      const paths = services.platform.calls.map(
        (c) => `${c.method} ${c.url.replace(AUTH_URL, '').replace(API_URL, '')}`,
      );
      const passwordAt = paths.indexOf(`POST /oauth/${PROJECT}/customers/token`);
      const signInAt = paths.indexOf(`POST /${PROJECT}/login`);
      expect(passwordAt).toBeGreaterThan(-1);
      expect(signInAt).toBeGreaterThan(passwordAt);
      const signIn = services.platform.calls[signInAt]!;
      expect(JSON.parse(signIn.body)).toEqual({
        ...ALICE,
        anonymousId: anonymous.anonymousId,
        anonymousCartSignInMode: 'MergeWithExistingCustomerCart',
      });
      // In the integration's name.
      expect(signIn.identity?.kind).toBe('client');
      const stored = (await storedToken(storage))!;
      expect(stored.kind).toBe('customer');
      const revoked = services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token'));
      expect(revoked.sort()).toEqual([anonymous.accessToken, anonymous.refreshToken].sort());
      expect((await services.platform.read(`/carts/${cart.id}`))?.['customerId']).toBe('customer-alice');
      expect(services.platform.grants('password')[0]?.form.get('scope')).toBe(
        services.registry.scopeParameter('customer'),
      );
    });

    it('should not call the backend sign-in when there was no session', async () => {
      const services = createTestServices();
      const storage = new MemorySessionStorage();
      await runWithCtpSession(storage, () =>
        services.session.login(ALICE.email, ALICE.password, { anonymousCartSignInMode: 'UseAsNewActiveCustomerCart' }),
      );
      expect(services.platform.callsTo(`/${PROJECT}/login`)).toHaveLength(0);
      expect((await storedToken(storage))?.kind).toBe('customer');
    });

    it('should use the in-store endpoints and keep the store key on the token', async () => {
      const services = createTestServices();
      const storage = new MemorySessionStorage();
      services.platform.on((call) => (call.path.includes('/in-store/key=eu/') ? undefined : undefined));
      const token = await runWithCtpSession(storage, () =>
        services.session.login(ALICE.email, ALICE.password, { storeKey: 'eu' }),
      );
      expect(services.platform.grants('password')[0]?.url).toBe(
        `${AUTH_URL}/oauth/${PROJECT}/in-store/key=eu/customers/token`,
      );
      expect(token.storeKey).toBe('eu');
    });

    it('should give one CtpInvalidCredentialsError for a wrong password and leave the session as it was', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      const before = await storedToken(storage);
      const error = await runWithCtpSession(storage, () =>
        services.session.login(ALICE.email, 'wrong-password!'),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpInvalidCredentialsError);
      expect(String(error)).not.toContain('wrong-password!');
      expect(await storedToken(storage)).toEqual(before);
      expect(services.platform.callsTo(`/${PROJECT}/login`)).toHaveLength(0);
    });

    it('should give the same error when the login endpoint says InvalidCredentials', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      services.platform.on((call) =>
        call.path === `/${PROJECT}/login`
          ? json({ statusCode: 400, message: 'x', errors: [{ code: 'InvalidCredentials', message: 'x' }] }, 400)
          : undefined,
      );
      await expect(
        runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password)),
      ).rejects.toBeInstanceOf(CtpInvalidCredentialsError);
    });

    it('should keep the anonymous session and revoke the new customer token when the sign-in fails', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      const before = await storedToken(storage);
      services.platform.on((call) =>
        call.path === `/${PROJECT}/login` ? json({ statusCode: 500, message: 'boom' }, 500) : undefined,
      );
      const error = await runWithCtpSession(storage, () => services.session.login(ALICE.email, ALICE.password)).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: CtpErrorCode.ApiRequestFailed, status: 500 });
      expect(String(error)).not.toContain(ALICE.password);
      expect(await storedToken(storage)).toEqual(before);
      await new Promise((resolve) => setImmediate(resolve));
      const revoked = services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token'));
      expect(revoked).toHaveLength(2);
      expect(revoked).not.toContain(before?.accessToken);
    });
  });

  describe('.logout', () => {
    it('should revoke access and refresh token and clear the session', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      const token = (await storedToken(storage))!;
      await runWithCtpSession(storage, () => services.session.logout());
      expect(await storedToken(storage)).toBeUndefined();
      const revoked = services.platform.callsTo('/oauth/token/revoke');
      expect(revoked.map((c) => [c.form.get('token'), c.form.get('token_type_hint')])).toEqual(
        expect.arrayContaining([
          [token.accessToken, 'access_token'],
          [token.refreshToken, 'refresh_token'],
        ]),
      );
    });

    it('should clear the session even if revocation fails', async () => {
      const services = createTestServices({ retry: { maxRetries: 0 } });
      const storage = await anonymousSession(services);
      services.platform.on((call) =>
        call.path === '/oauth/token/revoke' ? new Response('', { status: 500 }) : undefined,
      );
      await runWithCtpSession(storage, () => services.session.logout());
      expect(await storedToken(storage)).toBeUndefined();
      expect(services.logger.events('ctp.revoke.failed')).toHaveLength(2);
    });

    async function logoutDuringRefresh(revocationWorks: boolean) {
      // The logout waits for the refresh in flight at most revokeWaitMs; the gate opens after it.
      const services = createTestServices({ revokeWaitMs: 20 });
      const storage = await anonymousSession(services);
      const token = (await storedToken(storage)) as CtpAuthToken;
      // A second request of the same shopper with its own copy of the session (as express-session gives).
      const otherRequest = new MemorySessionStorage('s', token);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      services.platform.on(async (call) => {
        if (call.form.get('grant_type') === 'refresh_token') await gate;
        // Revocation that has not reached the token store yet (eventual consistency).
        if (!revocationWorks && call.path === '/oauth/token/revoke') return new Response(null, { status: 200 });
        return undefined;
      });
      services.clock.advance(HOUR);
      const refreshing = runWithCtpSession(otherRequest, () => services.session.accessToken()).catch((e: unknown) => e);
      await new Promise((resolve) => setImmediate(resolve));
      await runWithCtpSession(storage, () => services.session.logout());
      release();
      return { services, storage, otherRequest, token, error: await refreshing };
    }

    it('should not let a refresh in flight bring the session back, and revoke what it minted', async () => {
      const { services, storage, otherRequest, error } = await logoutDuringRefresh(false);
      // The refresh itself succeeded at the server, but its result is not stored anywhere: the other
      // request's copy of the ended session is cleared too, and the minted access token revoked.
      expect(services.platform.grants('refresh_token')).toHaveLength(1);
      expect(error).toBeInstanceOf(CtpSessionExpiredError);
      expect(await storedToken(storage)).toBeUndefined();
      expect(await storedToken(otherRequest)).toBeUndefined();
      const revoked = services.platform.callsTo('/oauth/token/revoke').map((c) => c.form.get('token'));
      const minted = services.platform.mock.issuedTokens.at(-1);
      expect(revoked).toContain(minted);
    });

    it('should clear the other copy too when the revoked refresh token is refused', async () => {
      const { storage, otherRequest, error } = await logoutDuringRefresh(true);
      expect(error).toBeInstanceOf(CtpSessionExpiredError);
      expect(await storedToken(storage)).toBeUndefined();
      expect(await storedToken(otherRequest)).toBeUndefined();
    });
  });

  describe('.current', () => {
    it('should return the stored token without refreshing', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      services.clock.advance(10 * HOUR);
      const token = await runWithCtpSession(storage, () => services.session.current());
      expect(token).toEqual(await storedToken(storage));
      expect(services.platform.grants('refresh_token')).toHaveLength(0);
    });
  });

  describe('when the scope registry changed since the session was granted', () => {
    it('should keep refreshing the session with its original scopes, and log that they are outdated', async () => {
      const old = createTestServices({ scopes: { anonymous: ['manage_my_orders', 'create_anonymous_token'] } });
      const storage = await anonymousSession(old);
      const before = (await storedToken(storage, old.registry))!;
      // The next deploy: same platform, a wider anonymous set.
      const { createCtpServices } = await import('../../../src/module/createCtpServices');
      const { testConfig } = await import('../../support/createTestServices');
      const deployed = createCtpServices(testConfig(), {
        fetch: old.platform.fetch,
        clock: old.clock,
        logger: old.logger,
      });
      old.clock.advance(HOUR);
      const token = await runWithCtpSession(storage, () => deployed.session.accessToken());
      expect(token.accessToken).not.toBe(before.accessToken);
      expect(token.scopes).toEqual(before.scopes);
      expect(old.logger.events('ctp.session.scopes_outdated')).toHaveLength(1);
    });

    it('should refuse a refresh answer whose scopes differ from the original grant', async () => {
      const services = createTestServices();
      const storage = await anonymousSession(services);
      services.platform.on((call) =>
        call.form.get('grant_type') === 'refresh_token'
          ? json({
              access_token: 'widened-token-123456',
              token_type: 'Bearer',
              expires_in: 3600,
              scope: `manage_project:${PROJECT} anonymous_id:x`,
            })
          : undefined,
      );
      services.clock.advance(HOUR);
      await expect(runWithCtpSession(storage, () => services.session.accessToken())).rejects.toMatchObject({
        code: CtpErrorCode.ScopeMissing,
      });
    });
  });
});
