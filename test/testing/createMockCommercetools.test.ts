import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { CtpErrorCode } from '../../src/errors/CtpErrorCode';
import { createCtpServices } from '../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';
import { createMockCommercetools } from '../../src/testing/mock/createMockCommercetools';

function services(mock = createMockCommercetools()) {
  return { mock, ...createCtpServices(loadCtpConfig(mock.env), { fetch: mock.fetch }) };
}

describe(createMockCommercetools, () => {
  describe('.fetch', () => {
    describe('when the library asks for the integration token', () => {
      it('should grant the scope of the form body exactly, to the client of env', async () => {
        const { mock, client } = services();
        mock.on('GET', '/categories/cat-1', { id: 'cat-1', version: 1 });
        const { body } = await (await client.integrationApiRoot()).categories().withId({ ID: 'cat-1' }).get().execute();
        expect(body.id).toBe('cat-1');
        const [grant] = mock.grants('client_credentials');
        expect(grant!.url).toBe('https://auth.mock.test/oauth/token');
        expect(grant!.method).toBe('POST');
        expect(grant!.headers['authorization']).toBe(`Basic ${Buffer.from('mock-client:mock-client-secret').toString('base64')}`);
        expect(grant!.form.get('grant_type')).toBe('client_credentials');
        const api = mock.requests.find((r) => r.host === 'api')!;
        expect(api.identity).toEqual({ kind: 'client', scopes: grant!.form.get('scope')!.split(' ') });
      });

      it('should refuse a scope the API client does not hold with 400 invalid_scope', async () => {
        const { client } = services(createMockCommercetools({ clientScopes: ['view_categories'] }));
        await expect(client.integrationApiRoot()).rejects.toMatchObject({ code: CtpErrorCode.InvalidScope, status: 400 });
      });

      it('should refuse other client credentials with 401 invalid_client', async () => {
        const mock = createMockCommercetools();
        const { client } = createCtpServices(loadCtpConfig({ ...mock.env, CTP_CLIENT_SECRET: 'another-secret' }), { fetch: mock.fetch, retry: { maxRetries: 0 } });
        await expect(client.integrationApiRoot()).rejects.toMatchObject({ status: 401 });
      });
    });

    describe('when a shopper signs in', () => {
      it('should bind the token to the customer, so scripted answers see who asked', async () => {
        const { mock, client, session } = services();
        mock.on('GET', '/me', (request) => ({ id: request.identity?.customerId, email: 'alice@example.com' }));
        await runWithCtpSession(new MemorySessionStorage(), async () => {
          await session.login('alice@example.com', 'alice-Passw0rd!');
          const { body } = await (await client.customerApiRoot()).me().get().execute();
          expect(body.id).toBe('customer-1');
        });
        const [grant] = mock.grants('password');
        expect(grant!.path).toBe('/oauth/test-project/customers/token');
        expect(grant!.form.get('username')).toBe('alice@example.com');
      });

      it('should refuse a wrong password as the platform does', async () => {
        const { session } = services();
        await runWithCtpSession(new MemorySessionStorage(), async () => {
          await expect(session.login('alice@example.com', 'wrong-password')).rejects.toMatchObject({ code: CtpErrorCode.InvalidCredentials });
        });
      });
    });

    describe('when a visitor starts an anonymous session', () => {
      it('should give the token an anonymous_id and a refresh token that renews it', async () => {
        const mock = createMockCommercetools({ expiresIn: 3600 });
        let now = Date.UTC(2026, 0, 1);
        const { client } = createCtpServices(loadCtpConfig(mock.env), { fetch: mock.fetch, clock: { now: () => now } });
        mock.on('POST', '/me/carts', (request) => ({ id: 'cart-1', anonymousId: request.identity?.anonymousId }), 201);
        await runWithCtpSession(new MemorySessionStorage(), async () => {
          const { body } = await (await client.customerApiRoot()).me().carts().post({ body: { currency: 'EUR' } }).execute();
          expect(body.anonymousId).toMatch(/^anonymous-/);
          now += 2 * 3600_000; // past the access token's lifetime: the next call refreshes first
          await (await client.customerApiRoot()).me().carts().post({ body: { currency: 'EUR' } }).execute();
        });
        expect(mock.grants('anonymous')).toHaveLength(1);
        expect(mock.grants('refresh_token').length).toBeGreaterThanOrEqual(1);
        expect(mock.grants('refresh_token')[0]!.form.get('refresh_token')).toMatch(/^test-project:mock-refresh-/);
      });
    });

    describe('when the API is asked for something not scripted', () => {
      it('should answer 404 ResourceNotFound naming the script to add', async () => {
        const { mock } = services();
        const { client } = services(mock);
        const error = await (await client.integrationApiRoot()).carts().withId({ ID: 'nope' }).get().execute().catch((e: unknown) => e);
        expect(error).toMatchObject({ statusCode: 404 });
        const answer = await mock.fetch('https://api.mock.test/test-project/carts/nope', { headers: { authorization: 'Bearer unknown' } });
        expect(answer.status).toBe(401);
      });
    });

    describe('when a token is revoked', () => {
      it('should answer its next API use with 401 invalid_token', async () => {
        const { mock, client } = services();
        mock.on('GET', /^\/categories\/.+$/, { id: 'any' });
        await (await client.integrationApiRoot()).categories().withId({ ID: 'x' }).get().execute();
        const token = mock.requests.find((r) => r.host === 'api')!.headers['authorization']!.slice('Bearer '.length);
        mock.revoke(token);
        const answer = await mock.fetch('https://api.mock.test/test-project/categories/x', { headers: { authorization: `Bearer ${token}` } });
        expect(answer.status).toBe(401);
      });
    });

    describe('when the URL is neither the auth nor the API host', () => {
      it('should fail like a network error', async () => {
        await expect(createMockCommercetools().fetch('https://elsewhere.test/')).rejects.toThrow(TypeError);
      });
    });
  });

  describe('.on', () => {
    it('should let a later script win and record the JSON body it was sent', async () => {
      const { mock, client } = services();
      mock.on('POST', '/carts', { id: 'first' }, 201).on('POST', '/carts', (request) => ({ id: 'second', currency: (request.json as { currency: string }).currency }), 201);
      const { body, statusCode } = await (await client.integrationApiRoot()).carts().post({ body: { currency: 'EUR' } }).execute();
      expect({ id: body.id, currency: (body as unknown as { currency: string }).currency, statusCode }).toEqual({ id: 'second', currency: 'EUR', statusCode: 201 });
      const request = mock.requests.at(-1)!;
      expect({ method: request.method, path: request.path, apiPath: request.apiPath, body: request.json }).toEqual({ method: 'POST', path: '/test-project/carts', apiPath: '/carts', body: { currency: 'EUR' } });
    });
  });
});
