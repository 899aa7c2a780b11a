import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockCommercetools } from '../../src/testing/mock/createMockCommercetools';
import {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
} from '../../src/testing/embedded/startEmbeddedCommercetools';

/** The same strictness through both transports of ctp-client/testing: the mocked fetch and the embedded server. */
interface Target {
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  env: Record<'CTP_PROJECT_KEY' | 'CTP_CLIENT_ID' | 'CTP_CLIENT_SECRET' | 'CTP_AUTH_URL' | 'CTP_API_URL', string>;
  customer: { email: string; password: string };
  revoke(token: string): void;
}

const HELD = ['view_categories', 'view_products', 'create_anonymous_token', 'manage_my_orders', 'manage_my_profile'];
let now = Date.UTC(2026, 11, 7);
let embedded: EmbeddedCommercetools;

beforeAll(async () => {
  embedded = await startEmbeddedCommercetools({
    projectKey: 'kit',
    clientScopes: HELD,
    expiresIn: 3600,
    now: () => now,
    stores: ['eu-store'],
  });
});
afterAll(() => embedded.stop());

const targets: [string, () => Target][] = [
  [
    'the mocked fetch',
    () => {
      const mock = createMockCommercetools({ projectKey: 'kit', clientScopes: HELD, expiresIn: 3600, now: () => now });
      // The mock answers carts as scripted; the embedded server has them built in.
      mock.on('POST', /\/me\/carts$/, { id: 'cart-1', version: 1 }, 201);
      return {
        fetch: mock.fetch,
        env: mock.env,
        customer: { email: 'alice@example.com', password: 'alice-Passw0rd!' },
        revoke: (token) => mock.revoke(token),
      };
    },
  ],
  [
    'the embedded server',
    () => ({
      fetch: globalThis.fetch,
      env: embedded.env,
      customer: embedded.customers[0]!,
      revoke: (token) => embedded.revoke(token),
    }),
  ],
];

describe.each(targets)('ctp-client/testing through %s', (_name, make) => {
  const grant = async (t: Target, path: string, form: Record<string, string>, secret = t.env.CTP_CLIENT_SECRET) => {
    const response = await t.fetch(`${t.env.CTP_AUTH_URL}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${t.env.CTP_CLIENT_ID}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, string> };
  };
  const call = async (t: Target, token: string, path: string, method = 'GET') => {
    const response = await t.fetch(`${t.env.CTP_API_URL}/kit${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify({ currency: 'EUR' }) } : {}),
    });
    const body = (await response.json()) as { errors?: { code: string }[] };
    return { status: response.status, code: body.errors?.[0]?.code };
  };
  const anonymous = (t: Target, scope: string) =>
    grant(t, '/oauth/kit/anonymous/token', { grant_type: 'client_credentials', scope });

  describe('when the client secret is wrong', () => {
    it('should answer 401 invalid_client to every grant', async () => {
      const t = make();
      const answer = await grant(
        t,
        '/oauth/token',
        { grant_type: 'client_credentials', scope: 'view_categories:kit' },
        'wrong',
      );
      expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      expect((await anonymous(t, 'view_categories:kit')).status).toBe(200);
    });
  });

  describe('when a grant asks for a scope the client lacks or commercetools does not know', () => {
    it('should answer 400 invalid_scope', async () => {
      const t = make();
      for (const scope of ['manage_orders:kit', 'view_fantasy:kit', 'view_categories:other-project'])
        expect(await grant(t, '/oauth/token', { grant_type: 'client_credentials', scope })).toMatchObject({
          status: 400,
          body: { error: 'invalid_scope' },
        });
    });
  });

  describe('when a token lacks the scope of an endpoint', () => {
    it('should answer 403 insufficient_scope, and the call with the scope passes the check', async () => {
      const t = make();
      const { body } = await grant(t, '/oauth/token', {
        grant_type: 'client_credentials',
        scope: 'manage_my_profile:kit',
      });
      expect(await call(t, body['access_token']!, '/categories/nope')).toEqual({
        status: 403,
        code: 'insufficient_scope',
      });
      const viewer = await grant(t, '/oauth/token', { grant_type: 'client_credentials', scope: 'view_categories:kit' });
      expect(await call(t, viewer.body['access_token']!, '/categories/nope')).toEqual({
        status: 404,
        code: 'ResourceNotFound',
      });
      // A client token on a shopper endpoint, with the scope: still refused.
      const client = await grant(t, '/oauth/token', {
        grant_type: 'client_credentials',
        scope: 'manage_my_orders:kit',
      });
      expect(await call(t, client.body['access_token']!, '/me/carts', 'POST')).toEqual({
        status: 403,
        code: 'insufficient_scope',
      });
    });
  });

  describe('when an in-store /me endpoint is called', () => {
    it('should accept the plain scope or that Store one, and refuse another Store or a project call with a Store scope', async () => {
      const t = make();
      const plain = await anonymous(t, 'manage_my_orders:kit');
      const inStore = await anonymous(t, 'manage_my_orders:kit:eu-store');
      const other = await anonymous(t, 'manage_my_orders:kit:us-store');
      expect((await call(t, plain.body['access_token']!, '/in-store/key=eu-store/me/carts', 'POST')).status).toBe(201);
      expect((await call(t, inStore.body['access_token']!, '/in-store/key=eu-store/me/carts', 'POST')).status).toBe(
        201,
      );
      expect(await call(t, other.body['access_token']!, '/in-store/key=eu-store/me/carts', 'POST')).toEqual({
        status: 403,
        code: 'insufficient_scope',
      });
      expect(await call(t, inStore.body['access_token']!, '/me/carts', 'POST')).toEqual({
        status: 403,
        code: 'insufficient_scope',
      });
    });
  });

  describe('when an access token is past its lifetime', () => {
    it('should answer 401 invalid_token, and its refresh token still gets a new one', async () => {
      const t = make();
      const { body } = await anonymous(t, 'manage_my_orders:kit');
      expect((await call(t, body['access_token']!, '/me/carts', 'POST')).status).toBe(201);
      now += 3601_000;
      expect(await call(t, body['access_token']!, '/me/carts', 'POST')).toEqual({ status: 401, code: 'invalid_token' });
      const refreshed = await grant(t, '/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: body['refresh_token']!,
      });
      expect(refreshed.body['refresh_token']).toBeUndefined(); // no rotation, as on the platform
      expect((await call(t, refreshed.body['access_token']!, '/me/carts', 'POST')).status).toBe(201);
    });
  });

  describe('when one token of a pair is revoked', () => {
    it('should end that token only, whether revoked through the auth host or by the test', async () => {
      const t = make();
      const first = await grant(t, '/oauth/kit/customers/token', {
        grant_type: 'password',
        username: t.customer.email,
        password: t.customer.password,
        scope: 'manage_my_profile:kit',
      });
      expect(first.status).toBe(200);
      await grant(t, '/oauth/token/revoke', { token: first.body['refresh_token']!, token_type_hint: 'refresh_token' });
      expect((await call(t, first.body['access_token']!, '/me')).status).toBe(200);
      expect(
        await grant(t, '/oauth/token', { grant_type: 'refresh_token', refresh_token: first.body['refresh_token']! }),
      ).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      const second = await grant(t, '/oauth/kit/customers/token', {
        grant_type: 'password',
        username: t.customer.email,
        password: t.customer.password,
        scope: 'manage_my_profile:kit',
      });
      t.revoke(second.body['access_token']!);
      expect(await call(t, second.body['access_token']!, '/me')).toEqual({ status: 401, code: 'invalid_token' });
      const refreshed = await grant(t, '/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: second.body['refresh_token']!,
      });
      expect((await call(t, refreshed.body['access_token']!, '/me')).status).toBe(200);
    });
  });
});
