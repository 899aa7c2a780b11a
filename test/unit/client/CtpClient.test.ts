import { describe, expect, it } from 'vitest';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpScopeError } from '../../../src/errors/CtpScopeError';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { API_URL, PROJECT, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';
import { storedToken } from '../../support/session/storedToken';

const HOUR = 3_600_000;

describe('CtpClient', () => {
  describe('.integrationApiRoot', () => {
    it('should grant once with the integration scopes and call the API with that token', async () => {
      const { platform, client, registry } = createTestServices();
      const apiRoot = await client.integrationApiRoot();
      const { body } = await apiRoot.categories().withId({ ID: 'cat-1' }).get().execute();
      expect(body.id).toBe('cat-1');
      const [grant] = platform.grants('client_credentials');
      expect(grant?.form.get('scope')).toBe(registry.scopeParameter('integration'));
      const apiCall = platform.calls.find((c) => c.url.startsWith(API_URL));
      expect(apiCall?.url).toBe(`${API_URL}/${PROJECT}/categories/cat-1`);
      expect(apiCall?.method).toBe('GET');
      expect(apiCall?.identity?.kind).toBe('client');
      expect(platform.mock.issuedTokens).toContain(apiCall?.headers['authorization']?.replace(/^Bearer /, ''));
    });

    it('should cause exactly one grant for 50 concurrent cold callers', async () => {
      const { platform, client } = createTestServices();
      const roots = await Promise.all(Array.from({ length: 50 }, () => client.integrationApiRoot()));
      expect(platform.grants('client_credentials')).toHaveLength(1);
      // The request builder is reused while the token is unchanged.
      expect(new Set(roots).size).toBe(1);
    });

    it('should renew inside a margin that scales with the lifetime', async () => {
      const { platform, client, clock } = createTestServices({}, { expiresIn: 3600 }); // 1 h: 10 % margin = 6 min
      await client.integrationApiRoot();
      clock.advance(53 * 60_000);
      await client.integrationApiRoot();
      expect(platform.grants('client_credentials')).toHaveLength(1);
      clock.advance(2 * 60_000);
      await client.integrationApiRoot();
      expect(platform.grants('client_credentials')).toHaveLength(2);
    });

    it('should keep a 48 h token for 47 h (margin capped at 30 min)', async () => {
      const { platform, client, clock } = createTestServices({}, { expiresIn: 48 * 3600 });
      await client.integrationApiRoot();
      clock.advance(47 * HOUR);
      await client.integrationApiRoot();
      expect(platform.grants('client_credentials')).toHaveLength(1);
      clock.advance(31 * 60_000);
      await client.integrationApiRoot();
      expect(platform.grants('client_credentials')).toHaveLength(2);
    });

    it('should let every waiter see a failed grant, and start afresh on the next call', async () => {
      const { platform, client } = createTestServices({ retry: { maxRetries: 0 } });
      let fail = true;
      platform.on(() => (fail ? new Response('down', { status: 503 }) : undefined));
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.integrationApiRoot()));
      expect(
        results.every(
          (r) => r.status === 'rejected' && (r.reason as { code: string }).code === CtpErrorCode.AuthUnavailable,
        ),
      ).toBe(true);
      expect(platform.calls).toHaveLength(1);
      fail = false;
      await client.integrationApiRoot();
      expect(platform.calls).toHaveLength(2);
    });

    it('should keep using a still-valid token when renewal in the margin fails transiently', async () => {
      const { platform, client, clock, logger } = createTestServices({ retry: { maxRetries: 0 } });
      const first = await client.integrationApiRoot();
      clock.advance(57 * 60_000);
      platform.on((call) => (call.path === '/oauth/token' ? new Response('down', { status: 503 }) : undefined));
      expect(await client.integrationApiRoot()).toBe(first);
      expect(logger.events('ctp.renewal.deferred')).toHaveLength(1);
      clock.advance(4 * 60_000); // now expired: no more deferring
      await expect(client.integrationApiRoot()).rejects.toMatchObject({ code: CtpErrorCode.AuthUnavailable });
    });

    it('should refuse a token granted with fewer scopes than requested', async () => {
      const { platform, client } = createTestServices();
      platform.on((call) =>
        call.path === '/oauth/token'
          ? json({ access_token: 'a', token_type: 'Bearer', expires_in: 60, scope: `view_products:${PROJECT}` })
          : undefined,
      );
      const error = await client.integrationApiRoot().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpScopeError);
      expect((error as CtpScopeError).missing).toContain(`manage_orders:${PROJECT}`);
    });

    it('should recover once from 401 invalid_token with a new integration grant', async () => {
      const { platform, client } = createTestServices();
      const apiRoot = await client.integrationApiRoot();
      for (const token of platform.mock.issuedTokens) platform.mock.revoke(token); // revoked early on the platform
      const { body } = await apiRoot.categories().withId({ ID: 'cat-2' }).get().execute();
      expect(body.id).toBe('cat-2');
      expect(platform.grants('client_credentials')).toHaveLength(2);
      const apiCalls = platform.calls.filter((c) => c.url.startsWith(API_URL));
      expect(apiCalls).toHaveLength(2);
      expect(apiCalls[0]?.headers['authorization']).not.toBe(apiCalls[1]?.headers['authorization']);
    });

    it('should not retry a second 401', async () => {
      const { platform, client } = createTestServices();
      const apiRoot = await client.integrationApiRoot();
      platform.on((call) =>
        call.url.startsWith(API_URL)
          ? json({ statusCode: 401, error: 'invalid_token', message: 'invalid_token' }, 401)
          : undefined,
      );
      await expect(apiRoot.categories().withId({ ID: 'x' }).get().execute()).rejects.toMatchObject({ statusCode: 401 });
      expect(platform.calls.filter((c) => c.url.startsWith(API_URL))).toHaveLength(2);
    });
  });

  describe('.guestApiRoot', () => {
    it('should share one anonymous-flow token with the guest scopes and need no session', async () => {
      const { platform, client, registry } = createTestServices();
      await Promise.all(Array.from({ length: 20 }, () => client.guestApiRoot()));
      const grants = platform.grants('anonymous');
      expect(grants).toHaveLength(1);
      expect(grants[0]?.form.get('scope')).toBe(registry.scopeParameter('guest'));
    });
  });

  describe('.customerApiRoot', () => {
    it('should throw CTP_NO_SESSION_CONTEXT outside a session context', async () => {
      const { client } = createTestServices();
      await expect(client.customerApiRoot()).rejects.toMatchObject({ code: CtpErrorCode.NoSessionContext });
    });

    it('should start an anonymous session lazily, store it, and use it', async () => {
      const { platform, client, registry } = createTestServices();
      const storage = new MemorySessionStorage('s1');
      await runWithCtpSession(storage, async () => {
        const apiRoot = await client.customerApiRoot();
        const { body: cart } = await apiRoot
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        expect(cart.anonymousId).toBeDefined();
      });
      const stored = await storedToken(storage);
      expect(stored?.kind).toBe('anonymous');
      expect(stored?.anonymousId).toBeDefined();
      expect(stored?.anonymousId).toBe(platform.callsTo(`/${PROJECT}/me/carts`)[0]?.identity?.anonymousId);
      expect(stored?.scopes).toEqual(registry.scopes('anonymous'));
      expect(platform.grants('anonymous')[0]?.form.get('scope')).toBe(registry.scopeParameter('anonymous'));
      expect(platform.grants('client_credentials')).toHaveLength(0);
    });

    it('should not create a session when createAnonymous is false', async () => {
      const { client, platform } = createTestServices();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await expect(client.customerApiRoot({ createAnonymous: false })).rejects.toMatchObject({
          code: CtpErrorCode.NoSession,
        });
      });
      expect(platform.calls).toHaveLength(0);
    });

    it('should start one anonymous session for 20 concurrent first calls of one session id', async () => {
      const { client, platform } = createTestServices();
      // Each request of one shopper has its own storage object (as with express-session), same id.
      const stores = Array.from({ length: 20 }, () => new MemorySessionStorage('same-session'));
      await Promise.all(stores.map((s) => runWithCtpSession(s, () => client.customerApiRoot())));
      expect(platform.grants('anonymous')).toHaveLength(1);
      const tokens = await Promise.all(stores.map((s) => storedToken(s)));
      expect(new Set(tokens.map((t) => t?.accessToken)).size).toBe(1);
    });

    it('should recover from 401 with the session refresh token, never with another token', async () => {
      const { client, platform } = createTestServices();
      const storage = new MemorySessionStorage('s');
      await runWithCtpSession(storage, async () => {
        const apiRoot = await client.customerApiRoot();
        const { body: cart } = await apiRoot
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        const before = await storedToken(storage);
        platform.mock.revoke(before!.accessToken);
        const { body } = await apiRoot.me().carts().withId({ ID: cart.id }).get().execute();
        expect(body.id).toBe(cart.id);
        const after = await storedToken(storage);
        expect(after?.accessToken).not.toBe(before?.accessToken);
        expect(after?.refreshToken).toBe(before?.refreshToken);
      });
      expect(platform.grants('refresh_token')).toHaveLength(1);
      expect(platform.grants('client_credentials')).toHaveLength(0);
    });
  });
});
