import type { ByProjectKeyRequestBuilder, Cart } from '@commercetools/platform-sdk';
import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createMockCommercetools } from '../../../src/testing/mock/createMockCommercetools';

const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };

function setup() {
  const mock = createMockCommercetools({
    customers: [ALICE, { email: 'bob@example.com', password: 'bob-Passw0rd!' }],
    products: [
      {
        id: 'prod-boot',
        name: 'Winter Boot',
        masterVariant: {
          sku: 'BOOT-42',
          prices: [
            { currencyCode: 'EUR', centAmount: 12_900 },
            { currencyCode: 'EUR', centAmount: 11_900, country: 'AT' },
          ],
        },
      },
      {
        id: 'prod-sock',
        name: 'Sock',
        masterVariant: { sku: 'SOCK', prices: [{ currencyCode: 'EUR', centAmount: 500 }] },
      },
      { id: 'prod-dollar', name: 'Import', masterVariant: { prices: [{ currencyCode: 'USD', centAmount: 100 }] } },
    ],
  });
  const { client, session } = createCtpServices(loadCtpConfig(mock.env), {
    fetch: mock.fetch,
    retry: { maxRetries: 0 },
  });
  /** Runs `work` in one shopper's session (each storage is one shopper). */
  const as = <T>(storage: MemorySessionStorage, work: (api: ByProjectKeyRequestBuilder) => Promise<T>) =>
    runWithCtpSession(storage, async () => work(await client.customerApiRoot()));
  return { mock, client, session, as };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

const update = (api: ByProjectKeyRequestBuilder, cart: Pick<Cart, 'id' | 'version'>, actions: object[]) =>
  api
    .me()
    .carts()
    .withId({ ID: cart.id })
    .post({ body: { version: cart.version, actions } as never })
    .execute();

describe('createMockCommercetools: the built-in carts', () => {
  describe('a shopper under /me', () => {
    it('should create the anonymous shopper a cart of their own and answer it as their active cart', async () => {
      const { as, mock } = setup();
      const visitor = new MemorySessionStorage();
      await as(visitor, async (api) => {
        expect(await failure(api.me().activeCart().get().execute())).toMatchObject({
          status: 404,
          apiCode: 'ResourceNotFound',
        });
        const { statusCode, body: cart } = await api
          .me()
          .carts()
          .post({ body: { currency: 'EUR', country: 'DE' } })
          .execute();
        expect(statusCode).toBe(201);
        expect(cart).toMatchObject({
          version: 1,
          cartState: 'Active',
          country: 'DE',
          lineItems: [],
          totalPrice: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 0, fractionDigits: 2 },
          taxMode: 'Platform',
          origin: 'Customer',
        });
        expect(cart.anonymousId).toBe(mock.requests.at(-1)!.identity!.anonymousId);
        expect(cart.customerId).toBeUndefined();
        const { body: active } = await api.me().activeCart().get().execute();
        expect(active.id).toBe(cart.id);
      });
    });

    it('should price line items from the catalogue and keep the totals as the actions change them', async () => {
      const { as } = setup();
      await as(new MemorySessionStorage(), async (api) => {
        let { body: cart } = await api
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        ({ body: cart } = await update(api, cart, [
          { action: 'addLineItem', productId: 'prod-boot', quantity: 2 },
          { action: 'addLineItem', sku: 'SOCK' },
          { action: 'addLineItem', sku: 'SOCK', quantity: 2 },
        ]));
        expect(cart.version).toBe(2);
        expect(cart.lineItems.map((i) => [i.productId, i.quantity, i.totalPrice.centAmount])).toEqual([
          ['prod-boot', 2, 25_800],
          ['prod-sock', 3, 1_500],
        ]);
        expect(cart.lineItems[0]).toMatchObject({ name: { en: 'Winter Boot' }, variant: { id: 1, sku: 'BOOT-42' } });
        expect(cart.totalPrice.centAmount).toBe(27_300);
        const [boot, sock] = cart.lineItems;
        ({ body: cart } = await update(api, cart, [
          { action: 'changeLineItemQuantity', lineItemId: boot!.id, quantity: 1 },
          { action: 'removeLineItem', lineItemId: sock!.id, quantity: 1 },
        ]));
        expect(cart.lineItems.map((i) => i.quantity)).toEqual([1, 2]);
        ({ body: cart } = await update(api, cart, [{ action: 'removeLineItem', lineItemId: sock!.id }]));
        expect(cart.lineItems.map((i) => i.productId)).toEqual(['prod-boot']);
        expect(cart.totalPrice.centAmount).toBe(12_900);
        ({ body: cart } = await update(api, cart, [
          { action: 'setCustomerEmail', email: 'visitor@example.com' },
          { action: 'setShippingAddress', address: { country: 'AT', city: 'Wien' } },
          { action: 'setCountry', country: 'AT' },
        ]));
        expect(cart).toMatchObject({
          version: 5,
          customerEmail: 'visitor@example.com',
          shippingAddress: { country: 'AT', city: 'Wien' },
          country: 'AT',
        });
        // A price for the cart's country wins over the price for all countries.
        ({ body: cart } = await update(api, cart, [{ action: 'addLineItem', productId: 'prod-boot', variantId: 1 }]));
        expect(cart.lineItems[0]!.quantity).toBe(2);
      });
    });

    it('should refuse a stale version with 409 ConcurrentModification and the current version', async () => {
      const { as, mock } = setup();
      await as(new MemorySessionStorage(), async (api) => {
        const { body: cart } = await api
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        await update(api, cart, [{ action: 'setCountry', country: 'DE' }]);
        const error = await failure(update(api, cart, [{ action: 'setCountry', country: 'AT' }]));
        expect(error).toMatchObject({ status: 409, apiCode: 'ConcurrentModification' });
        // The answer on the wire, as an app's own fetch would read it.
        const sent = mock.requests.at(-1)!;
        const answer = await mock.fetch(sent.url, { method: 'POST', headers: sent.headers, body: sent.body });
        expect(answer.status).toBe(409);
        expect(await answer.json()).toMatchObject({
          statusCode: 409,
          errors: [{ code: 'ConcurrentModification', currentVersion: 2 }],
        });
      });
    });

    it('should refuse an unknown action with 400 InvalidInput and apply none of the request', async () => {
      const { as } = setup();
      await as(new MemorySessionStorage(), async (api) => {
        const { body: cart } = await api
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        const error = await failure(
          update(api, cart, [
            { action: 'addLineItem', productId: 'prod-boot' },
            { action: 'addDiscountCode', code: 'SUMMER' },
          ]),
        );
        expect(error).toMatchObject({ status: 400, apiCode: 'InvalidInput' });
        const noPrice = await failure(update(api, cart, [{ action: 'addLineItem', productId: 'prod-dollar' }]));
        expect(noPrice).toMatchObject({ status: 400, apiCode: 'MatchingPriceNotFound' });
        const noProduct = await failure(update(api, cart, [{ action: 'addLineItem', productId: 'nope' }]));
        expect(noProduct).toMatchObject({ status: 400, apiCode: 'ReferencedResourceNotFound' });
        const { body: after } = await api.me().carts().withId({ ID: cart.id }).get().execute();
        expect(after).toMatchObject({ version: 1, lineItems: [] });
      });
    });

    it("should answer another shopper's cart with 404, as the platform does", async () => {
      const { as } = setup();
      const cart = await as(new MemorySessionStorage(), async (api) => {
        const { body } = await api
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        return body;
      });
      await as(new MemorySessionStorage(), async (api) => {
        expect(await failure(api.me().carts().withId({ ID: cart.id }).get().execute())).toMatchObject({ status: 404 });
        expect(await failure(update(api, cart, [{ action: 'setCountry', country: 'DE' }]))).toMatchObject({
          status: 404,
        });
        const { body: mine } = await api.me().carts().get().execute();
        expect(mine.results).toEqual([]);
      });
    });

    it('should delete a cart with its version only', async () => {
      const { as } = setup();
      await as(new MemorySessionStorage(), async (api) => {
        const { body: cart } = await api
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        const stale = api
          .me()
          .carts()
          .withId({ ID: cart.id })
          .delete({ queryArgs: { version: 2 } })
          .execute();
        expect(await failure(stale)).toMatchObject({ status: 409 });
        const { body: deleted } = await api
          .me()
          .carts()
          .withId({ ID: cart.id })
          .delete({ queryArgs: { version: 1 } })
          .execute();
        expect(deleted.id).toBe(cart.id);
        expect(await failure(api.me().activeCart().get().execute())).toMatchObject({ status: 404 });
      });
    });

    it("should keep a Store's cart in that Store", async () => {
      const { as } = setup();
      await as(new MemorySessionStorage(), async (api) => {
        const { body: cart } = await api
          .inStoreKeyWithStoreKeyValue({ storeKey: 'eu' })
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        expect(cart.store).toEqual({ typeId: 'store', key: 'eu' });
        const inOther = api.inStoreKeyWithStoreKeyValue({ storeKey: 'us' }).me().carts().withId({ ID: cart.id });
        expect(await failure(inOther.get().execute())).toMatchObject({ status: 404 });
        const { body: found } = await api
          .inStoreKeyWithStoreKeyValue({ storeKey: 'eu' })
          .me()
          .activeCart()
          .get()
          .execute();
        expect(found.id).toBe(cart.id);
      });
    });
  });

  describe('a sign-in naming the anonymous shopper (/login)', () => {
    /** A cart with one line item, of the shopper whose session `storage` is. */
    async function cartOf(
      as: ReturnType<typeof setup>['as'],
      storage: MemorySessionStorage,
      sku: string,
      quantity: number,
    ) {
      return as(storage, async (api) => {
        const { body } = await api
          .me()
          .carts()
          .post({ body: { currency: 'EUR', lineItems: [{ sku, quantity }] } })
          .execute();
        return body;
      });
    }

    it('should move the anonymous cart to the customer who has none, and answer it with the customer', async () => {
      const { as, session, mock } = setup();
      const visitor = new MemorySessionStorage();
      const cart = await cartOf(as, visitor, 'BOOT-42', 1);
      await runWithCtpSession(visitor, () => session.login(ALICE.email, ALICE.password));
      const login = mock.requests.find((r) => r.apiPath === '/login')!;
      expect(login.json).toMatchObject({ anonymousId: cart.anonymousId });
      await as(visitor, async (api) => {
        const { body: active } = await api.me().activeCart().get().execute();
        expect(active).toMatchObject({ id: cart.id, customerId: 'customer-1', lineItems: [{ quantity: 1 }] });
      });
      const answer = (await mock
        .fetch(login.url, {
          method: 'POST',
          headers: login.headers,
          body: JSON.stringify({ email: ALICE.email, password: ALICE.password }),
        })
        .then((r) => r.json())) as { customer: { id: string; email: string; version: number }; cart?: Cart };
      expect(answer.customer).toMatchObject({ id: 'customer-1', email: ALICE.email, version: 1 });
      expect(answer.cart?.id).toBe(cart.id);
    });

    it("should merge it into the customer's active cart by default, keeping the larger quantity", async () => {
      const { as, session, client } = setup();
      const alice = new MemorySessionStorage();
      await runWithCtpSession(alice, () => session.login(ALICE.email, ALICE.password));
      const own = await cartOf(as, alice, 'BOOT-42', 3);
      const visitor = new MemorySessionStorage();
      const anonymous = await cartOf(as, visitor, 'BOOT-42', 1);
      await as(visitor, (api) => update(api, anonymous, [{ action: 'addLineItem', sku: 'SOCK', quantity: 2 }]));
      await runWithCtpSession(visitor, () => session.login(ALICE.email, ALICE.password));
      await as(visitor, async (api) => {
        const { body: active } = await api.me().activeCart().get().execute();
        expect(active.id).toBe(own.id);
        expect(active.lineItems.map((i) => [i.variant.sku, i.quantity])).toEqual([
          ['BOOT-42', 3],
          ['SOCK', 2],
        ]);
        expect(active.totalPrice.centAmount).toBe(3 * 12_900 + 2 * 500);
      });
      const { body: merged } = await (
        await client.integrationApiRoot()
      )
        .carts()
        .withId({ ID: anonymous.id })
        .get()
        .execute();
      expect(merged.cartState).toBe('Merged');
    });

    it('should make it the active cart with UseAsNewActiveCustomerCart', async () => {
      const { as, session } = setup();
      const alice = new MemorySessionStorage();
      await runWithCtpSession(alice, () => session.login(ALICE.email, ALICE.password));
      const own = await cartOf(as, alice, 'BOOT-42', 3);
      const visitor = new MemorySessionStorage();
      const anonymous = await cartOf(as, visitor, 'SOCK', 1);
      await runWithCtpSession(visitor, () =>
        session.login(ALICE.email, ALICE.password, { anonymousCartSignInMode: 'UseAsNewActiveCustomerCart' }),
      );
      await as(visitor, async (api) => {
        const { body: active } = await api.me().activeCart().get().execute();
        expect(active).toMatchObject({ id: anonymous.id, customerId: 'customer-1', lineItems: [{ quantity: 1 }] });
        const { body: all } = await api.me().carts().get().execute();
        expect(all.results.map((c) => c.id).sort()).toEqual([own.id, anonymous.id].sort());
      });
    });
  });

  describe('an API client under /carts', () => {
    it("should create, read, update and find a customer's carts with a client token", async () => {
      const { client, mock } = setup();
      const api = await client.integrationApiRoot();
      const { body: cart } = await api
        .carts()
        .post({ body: { currency: 'EUR', customerId: 'customer-2', lineItems: [{ sku: 'SOCK' }] } })
        .execute();
      expect(cart).toMatchObject({ customerId: 'customer-2', totalPrice: { centAmount: 500 } });
      const { body: updated } = await api
        .carts()
        .withId({ ID: cart.id })
        .post({ body: { version: 1, actions: [{ action: 'setCountry', country: 'DE' }] } })
        .execute();
      expect(updated).toMatchObject({ version: 2, country: 'DE' });
      const { body: found } = await api
        .carts()
        .get({ queryArgs: { where: 'customerId = "customer-2"' } })
        .execute();
      expect(found.results.map((c) => c.id)).toEqual([cart.id]);
      const { body: active } = await api.carts().withCustomerId({ customerId: 'customer-2' }).get().execute();
      expect(active.id).toBe(cart.id);
      expect(mock.requests.at(-1)!.identity!.kind).toBe('client');
    });

    it('should refuse the shopper endpoints to a client token and the project ones to a shopper', async () => {
      const { client, as } = setup();
      const api = await client.integrationApiRoot();
      expect(await failure(api.me().activeCart().get().execute())).toMatchObject({ status: 403 });
      await as(new MemorySessionStorage(), async (shopper) => {
        expect(await failure(shopper.carts().get().execute())).toMatchObject({ status: 403 });
      });
    });
  });
});
