import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { CtpErrorCode } from '../../src/errors/CtpErrorCode';
import { createCtpServices } from '../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';
import { startEmbeddedCommercetools, type EmbeddedCommercetools } from '../../src/testing/embedded/startEmbeddedCommercetools';

// Real HTTP to the embedded commercetools on 127.0.0.1, through the library as an app uses it.
describe(startEmbeddedCommercetools, () => {
  let ct: EmbeddedCommercetools;
  beforeAll(async () => {
    ct = await startEmbeddedCommercetools({
      projectKey: 'kit-project',
      customers: [
        { email: 'bob@example.com', password: 'bob-Passw0rd!' },
        { email: 'carol@example.com', password: 'carol-Passw0rd!', storeKey: 'eu-store' },
      ],
    });
  });
  afterAll(() => ct.stop());

  const services = () => createCtpServices(loadCtpConfig(ct.env));

  it('should give ready CTP_* variables and the seeded customers with their ids', () => {
    expect(ct.env).toEqual({ CTP_PROJECT_KEY: 'kit-project', CTP_CLIENT_ID: ct.clientId, CTP_CLIENT_SECRET: ct.clientSecret, CTP_AUTH_URL: ct.url, CTP_API_URL: ct.url });
    expect(ct.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ct.customers.map((c) => c.email)).toEqual(['bob@example.com', 'carol@example.com']);
    expect(ct.customers.every((c) => c.id.length > 0)).toBe(true);
  });

  describe('when the integration asks for its scopes in the form body', () => {
    it('should grant exactly those scopes', async () => {
      const { client, registry } = services();
      const before = ct.grants.length;
      const { body } = await (await client.integrationApiRoot()).categories().withId({ ID: ct.seeded.categoryIds[0]! }).get().execute();
      expect(body.id).toBe(ct.seeded.categoryIds[0]);
      const grant = ct.grants.slice(before).find((g) => g.flow === 'client_credentials');
      expect(grant).toEqual({ flow: 'client_credentials', scope: registry.scopeParameter('integration'), status: 200 });
    });
  });

  describe('when a visitor with a cart signs in', () => {
    it('should move the anonymous cart to the customer and bind /me to her', async () => {
      const { client, session } = services();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        const { body: cart } = await (await client.customerApiRoot()).me().carts().post({ body: { currency: 'EUR', lineItems: [{ sku: ct.seeded.skus[0]!, quantity: 1 }] } }).execute();
        await session.login('bob@example.com', 'bob-Passw0rd!');
        const root = await client.customerApiRoot();
        const { body: me } = await root.me().get().execute();
        expect(me.id).toBe(ct.customers[0]!.id);
        const { body: active } = await root.me().activeCart().get().execute();
        expect(active.id).toBe(cart.id);
        expect(active.customerId).toBe(ct.customers[0]!.id);
      });
    });

    it('should do the same for an in-store sign-in', async () => {
      const { client, session } = services();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        const { body: cart } = await (await client.customerApiRoot()).me().carts().post({ body: { currency: 'EUR' } }).execute();
        await session.login('carol@example.com', 'carol-Passw0rd!', { storeKey: 'eu-store' });
        const { body: active } = await (await client.customerApiRoot()).me().activeCart().get().execute();
        expect({ id: active.id, customerId: active.customerId }).toEqual({ id: cart.id, customerId: ct.customers[1]!.id });
      });
    });

    it('should refuse a wrong password', async () => {
      const { session } = services();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await expect(session.login('bob@example.com', 'not-his-password')).rejects.toMatchObject({ code: CtpErrorCode.InvalidCredentials });
      });
    });
  });

  describe('when a shopper asks for another shopper\'s cart', () => {
    it('should answer 404, as the platform binds /me to the token', async () => {
      const { client } = services();
      const storageA = new MemorySessionStorage();
      const cartId = await runWithCtpSession(storageA, async () => (await (await client.customerApiRoot()).me().carts().post({ body: { currency: 'EUR' } }).execute()).body.id);
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await expect((await client.customerApiRoot()).me().carts().withId({ ID: cartId }).get().execute()).rejects.toMatchObject({ statusCode: 404 });
      });
    });
  });

  describe('when the shopper logs out', () => {
    it('should revoke the tokens, so the old access token is refused', async () => {
      const { client, session } = services();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await session.login('bob@example.com', 'bob-Passw0rd!');
        const token = (await session.accessToken()).accessToken;
        await session.logout();
        const answer = await fetch(`${ct.url}/${ct.projectKey}/me`, { headers: { authorization: `Bearer ${token}` } });
        expect(answer.status).toBe(401);
        expect(ct.grants.some((g) => g.flow === 'revoke' && g.status === 200)).toBe(true);
        await expect(client.customerApiRoot({ createAnonymous: false })).rejects.toMatchObject({ code: CtpErrorCode.NoSession });
      });
    });
  });
});
