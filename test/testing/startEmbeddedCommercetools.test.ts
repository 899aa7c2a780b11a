import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { CtpErrorCode } from '../../src/errors/CtpErrorCode';
import { wireCtpServices as createCtpServices } from '../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';
import {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
} from '../../src/testing/embedded/startEmbeddedCommercetools';

// Real HTTP to the embedded commercetools on 127.0.0.1, through the library as an app uses it.
describe(startEmbeddedCommercetools, () => {
  let ct: EmbeddedCommercetools;
  beforeAll(async () => {
    ct = await startEmbeddedCommercetools({
      projectKey: 'kit-project',
      customers: [
        { email: 'bob@example.com', password: 'bob-Passw0rd!' },
        { email: 'carol@example.com', password: 'carol-Passw0rd!', storeKey: 'eu-store' },
        { email: 'dave@example.com', password: 'dave-Passw0rd!' },
        { email: 'erin@example.com', password: 'erin-Passw0rd!' },
      ],
      businessUnits: [
        {
          key: 'acme',
          associates: [
            { email: 'bob@example.com', permissions: ['ViewMyCarts', 'CreateMyCarts'] },
            { email: 'dave@example.com', permissions: ['ViewMyCarts'] },
          ],
        },
      ],
    });
  });
  afterAll(() => ct.stop());

  const services = () => createCtpServices(loadCtpConfig(ct.env));

  it('should give ready CTP_* variables and the seeded customers with their ids', () => {
    expect(ct.env).toEqual({
      CTP_PROJECT_KEY: 'kit-project',
      CTP_CLIENT_ID: ct.clientId,
      CTP_CLIENT_SECRET: ct.clientSecret,
      CTP_AUTH_URL: ct.url,
      CTP_API_URL: ct.url,
    });
    expect(ct.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ct.customers.map((c) => c.email)).toEqual([
      'bob@example.com',
      'carol@example.com',
      'dave@example.com',
      'erin@example.com',
    ]);
    expect(ct.customers.every((c) => c.id.length > 0)).toBe(true);
  });

  describe('when the integration asks for its scopes in the form body', () => {
    it('should grant exactly those scopes', async () => {
      const { client, registry } = services();
      const before = ct.grants.length;
      const { body } = await (
        await client.integrationApiRoot()
      )
        .categories()
        .withId({ ID: ct.seeded.categoryIds[0]! })
        .get()
        .execute();
      expect(body.id).toBe(ct.seeded.categoryIds[0]);
      const grant = ct.grants.slice(before).find((g) => g.flow === 'client_credentials');
      expect(grant).toEqual({ flow: 'client_credentials', scope: registry.scopeParameter('integration'), status: 200 });
    });
  });

  describe('when a visitor with a cart signs in', () => {
    it('should move the anonymous cart to the customer and bind /me to her', async () => {
      const { client, session } = services();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        const { body: cart } = await (
          await client.customerApiRoot()
        )
          .me()
          .carts()
          .post({ body: { currency: 'EUR', lineItems: [{ sku: ct.seeded.skus[0]!, quantity: 1 }] } })
          .execute();
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
        const { body: cart } = await (
          await client.customerApiRoot()
        )
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        await session.login('carol@example.com', 'carol-Passw0rd!', { storeKey: 'eu-store' });
        // Her token holds the Store's scopes: the in-store endpoints take them, the project ones would not.
        const { body: active } = await (
          await client.customerApiRoot()
        )
          .inStoreKeyWithStoreKeyValue({ storeKey: 'eu-store' })
          .me()
          .activeCart()
          .get()
          .execute();
        expect({ id: active.id, customerId: active.customerId }).toEqual({
          id: cart.id,
          customerId: ct.customers[1]!.id,
        });
      });
    });

    it('should sign a Store customer in nowhere but in that Store, and make an in-store sign-up a customer of the Store', async () => {
      const { session } = services();
      for (const storeKey of ['other-store', undefined]) {
        await expect(
          runWithCtpSession(new MemorySessionStorage(), () =>
            session.login('carol@example.com', 'carol-Passw0rd!', storeKey === undefined ? {} : { storeKey }),
          ),
        ).rejects.toMatchObject({
          code: CtpErrorCode.InvalidCredentials,
        });
      }
      // A global customer signs in in any Store.
      await expect(
        runWithCtpSession(new MemorySessionStorage(), () =>
          session.login('bob@example.com', 'bob-Passw0rd!', { storeKey: 'eu-store' }),
        ),
      ).resolves.toMatchObject({ storeKey: 'eu-store' });
      const { client } = services();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await session.signUp({ email: 'frank@example.com', password: 'frank-Passw0rd!' }, { storeKey: 'eu-store' });
        const { body: me } = await (
          await client.customerApiRoot()
        )
          .inStoreKeyWithStoreKeyValue({ storeKey: 'eu-store' })
          .me()
          .get()
          .execute();
        expect(me.stores).toEqual([{ typeId: 'store', key: 'eu-store' }]);
      });
      await expect(
        runWithCtpSession(new MemorySessionStorage(), () => session.login('frank@example.com', 'frank-Passw0rd!')),
      ).rejects.toMatchObject({ code: CtpErrorCode.InvalidCredentials });
    });

    it('should refuse a wrong password', async () => {
      const { session } = services();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await expect(session.login('bob@example.com', 'not-his-password')).rejects.toMatchObject({
          code: CtpErrorCode.InvalidCredentials,
        });
      });
    });
  });

  describe("when a shopper asks for another shopper's cart", () => {
    it('should answer 404, as the platform binds /me to the token', async () => {
      const { client } = services();
      const storageA = new MemorySessionStorage();
      const cartId = await runWithCtpSession(
        storageA,
        async () =>
          (
            await (
              await client.customerApiRoot()
            )
              .me()
              .carts()
              .post({ body: { currency: 'EUR' } })
              .execute()
          ).body.id,
      );
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await expect(
          (await client.customerApiRoot()).me().carts().withId({ ID: cartId }).get().execute(),
        ).rejects.toMatchObject({ statusCode: 404 });
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
        await expect(client.customerApiRoot({ createAnonymous: false })).rejects.toMatchObject({
          code: CtpErrorCode.NoSession,
        });
      });
    });
  });

  describe('when a customer acts as an associate of a business unit', () => {
    /** A raw request with an integration token, to see the platform's answer as it is. */
    async function asIntegration(
      method: 'GET' | 'POST',
      path: string,
      body?: unknown,
    ): Promise<{ status: number; body: Record<string, unknown> }> {
      const grant = await fetch(`${ct.authUrl}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${ct.clientId}:${ct.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `grant_type=client_credentials&scope=manage_orders:${ct.projectKey}`,
      });
      const { access_token: token } = (await grant.json()) as { access_token: string };
      const answer = await fetch(`${ct.apiUrl}/${ct.projectKey}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    }
    const associateCall = async (
      email: string,
      call: (root: Awaited<ReturnType<ReturnType<typeof services>['client']['associateApiRoot']>>) => Promise<unknown>,
    ) => {
      const { client, session } = services();
      return runWithCtpSession(new MemorySessionStorage(), async () => {
        await session.login(email, `${email.split('@')[0]}-Passw0rd!`);
        return call(await client.associateApiRoot('acme'));
      }).then(
        (r) => r,
        (e: unknown) => e,
      );
    };

    it('should let an associate whose role grants it create and read carts in the unit', async () => {
      const created = (await associateCall('bob@example.com', (root) =>
        root
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute(),
      )) as { statusCode: number; body: { id: string; customerId?: string } };
      expect(created.statusCode).toBe(201);
      expect(created.body.customerId).toBe(ct.customers[0]!.id);
      // Shoppers' own carts elsewhere in the project are not the unit's: the list holds bob's cart only.
      const read = (await associateCall('bob@example.com', (root) => root.carts().get().execute())) as {
        statusCode: number;
        body: { results: { id: string }[] };
      };
      expect(read.statusCode).toBe(200);
      expect(read.body.results.map((c) => c.id)).toEqual([created.body.id]);
      // dave may view only his own carts of the unit: bob's is neither listed nor found.
      const daves = (await associateCall('dave@example.com', (root) => root.carts().get().execute())) as {
        body: { results: unknown[] };
      };
      expect(daves.body.results).toEqual([]);
      await expect(
        associateCall('dave@example.com', (root) => root.carts().withId({ ID: created.body.id }).get().execute()),
      ).resolves.toMatchObject({ code: CtpErrorCode.ApiNotFound });
    });

    it('should refuse a customer who is not an associate, and an associate whose role lacks the permission, with the platform 403', async () => {
      const erin = await associateCall('erin@example.com', (root) => root.carts().get().execute());
      expect(erin).toMatchObject({
        code: CtpErrorCode.ApiForbidden,
        status: 403,
        apiCodes: ['AssociateMissingPermission'],
      });
      const dave = await associateCall('dave@example.com', (root) =>
        root
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute(),
      );
      expect(dave).toMatchObject({
        code: CtpErrorCode.ApiForbidden,
        status: 403,
        apiCodes: ['AssociateMissingPermission'],
      });
      const daveReads = (await associateCall('dave@example.com', (root) => root.carts().get().execute())) as {
        statusCode: number;
      };
      expect(daveReads.statusCode).toBe(200);
      // The answer's shape, as the platform's AssociateMissingPermissionError.
      const daveId = ct.customers[2]!.id;
      const answer = await asIntegration('POST', `/as-associate/${daveId}/in-business-unit/key=acme/carts`, {
        currency: 'EUR',
      });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({
        statusCode: 403,
        errors: [
          {
            code: 'AssociateMissingPermission',
            associate: { typeId: 'customer', id: daveId },
            businessUnit: { typeId: 'business-unit', key: 'acme' },
            permissions: ['CreateMyCarts'],
          },
        ],
      });
      expect(answer.body['message']).toBe(
        `Associate '${daveId}' has no rights to create in business-unit 'acme'. Needs 'CreateMyCarts'.`,
      );
    });

    it('should refuse a shopper token on the as-associate endpoints and answer 404 for an unknown unit', async () => {
      const { client, session } = services();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await session.login('bob@example.com', 'bob-Passw0rd!');
        const token = (await session.accessToken()).accessToken;
        const answer = await fetch(
          `${ct.apiUrl}/${ct.projectKey}/as-associate/${ct.customers[0]!.id}/in-business-unit/key=acme/carts`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        expect(answer.status).toBe(403);
        await expect((await client.associateApiRoot('no-such-unit')).carts().get().execute()).rejects.toMatchObject({
          code: CtpErrorCode.ApiNotFound,
          status: 404,
        });
      });
    });
  });
});
