import type { ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createMockCommercetools } from '../../../src/testing/mock/createMockCommercetools';

const ALICE = { email: 'alice@example.com', password: 'alice-Passw0rd!' };

function setup() {
  const mock = createMockCommercetools({
    now: () => Date.UTC(2026, 5, 1, 12),
    products: [
      {
        id: 'prod-sock',
        name: 'Sock',
        masterVariant: { sku: 'SOCK', prices: [{ currencyCode: 'EUR', centAmount: 500 }] },
      },
    ],
  });
  const { client, session } = createCtpServices(loadCtpConfig(mock.env), {
    fetch: mock.fetch,
    retry: { maxRetries: 0 },
  });
  const as = <T>(storage: MemorySessionStorage, work: (api: ByProjectKeyRequestBuilder) => Promise<T>) =>
    runWithCtpSession(storage, async () => work(await client.customerApiRoot()));
  const cartOf = (storage: MemorySessionStorage) =>
    as(storage, async (api) => {
      const { body } = await api
        .me()
        .carts()
        .post({
          body: { currency: 'EUR', lineItems: [{ sku: 'SOCK', quantity: 2 }], shippingAddress: { country: 'DE' } },
        })
        .execute();
      return body;
    });
  return { mock, client, session, as, cartOf };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('createMockCommercetools: the built-in orders', () => {
  it("should order the shopper's cart: the order copies it, the cart becomes Ordered", async () => {
    const { as, cartOf } = setup();
    const visitor = new MemorySessionStorage();
    const cart = await cartOf(visitor);
    await as(visitor, async (api) => {
      const { statusCode, body: order } = await api
        .me()
        .orders()
        .post({ body: { id: cart.id, version: cart.version } })
        .execute();
      expect(statusCode).toBe(201);
      expect(order).toMatchObject({
        version: 1,
        orderState: 'Open',
        cart: { typeId: 'cart', id: cart.id },
        anonymousId: cart.anonymousId,
        totalPrice: { currencyCode: 'EUR', centAmount: 1_000 },
        lineItems: [{ productId: 'prod-sock', quantity: 2 }],
        shippingAddress: { country: 'DE' },
        createdAt: '2026-06-01T12:00:00.000Z',
      });
      const { body: ordered } = await api.me().carts().withId({ ID: cart.id }).get().execute();
      expect(ordered).toMatchObject({ cartState: 'Ordered', version: 2 });
      expect(await failure(api.me().activeCart().get().execute())).toMatchObject({ status: 404 });
      const { body: mine } = await api.me().orders().get().execute();
      expect(mine.results.map((o) => o.id)).toEqual([order.id]);
      const { body: one } = await api.me().orders().withId({ ID: order.id }).get().execute();
      expect(one.id).toBe(order.id);
    });
  });

  it('should refuse a stale cart version (409) and a cart ordered already (400 InvalidOperation)', async () => {
    const { as, cartOf } = setup();
    const visitor = new MemorySessionStorage();
    const cart = await cartOf(visitor);
    await as(visitor, async (api) => {
      const order = (version: number) =>
        api
          .me()
          .orders()
          .post({ body: { id: cart.id, version } })
          .execute();
      expect(await failure(order(7))).toMatchObject({ status: 409, apiCode: 'ConcurrentModification' });
      await order(1);
      expect(await failure(order(2))).toMatchObject({ status: 400, apiCode: 'InvalidOperation' });
    });
  });

  it("should neither order nor show another shopper's cart and orders", async () => {
    const { as, cartOf } = setup();
    const visitor = new MemorySessionStorage();
    const cart = await cartOf(visitor);
    const order = await as(visitor, async (api) => {
      const { body } = await api
        .me()
        .orders()
        .post({ body: { id: cart.id, version: 1 } })
        .execute();
      return body;
    });
    const other = new MemorySessionStorage();
    const otherCart = await cartOf(other);
    await as(other, async (api) => {
      const theirs = api
        .me()
        .orders()
        .post({ body: { id: cart.id, version: 2 } })
        .execute();
      expect(await failure(theirs)).toMatchObject({ status: 400, apiCode: 'ReferencedResourceNotFound' });
      expect(await failure(api.me().orders().withId({ ID: order.id }).get().execute())).toMatchObject({ status: 404 });
      const { body: mine } = await api.me().orders().get().execute();
      expect(mine.results).toEqual([]);
      expect(otherCart.cartState).toBe('Active');
    });
  });

  it("should move the anonymous shopper's orders to the customer on sign-in, and show them to an API client", async () => {
    const { as, cartOf, session, client } = setup();
    const visitor = new MemorySessionStorage();
    const cart = await cartOf(visitor);
    const order = await as(visitor, async (api) => {
      const { body } = await api
        .me()
        .orders()
        .post({ body: { id: cart.id, version: 1 } })
        .execute();
      return body;
    });
    await runWithCtpSession(visitor, () => session.login(ALICE.email, ALICE.password));
    await as(visitor, async (api) => {
      const { body } = await api.me().orders().withId({ ID: order.id }).get().execute();
      expect(body.customerId).toBe('customer-1');
    });
    const api = await client.integrationApiRoot();
    const { body: read } = await api.orders().withId({ ID: order.id }).get().execute();
    expect(read.id).toBe(order.id);
    const { body: found } = await api
      .orders()
      .get({ queryArgs: { where: 'customerId = "customer-1"' } })
      .execute();
    expect(found.results.map((o) => o.id)).toEqual([order.id]);
  });

  it('should create an order from any cart for an API client, with an order number once', async () => {
    const { client, cartOf } = setup();
    const cart = await cartOf(new MemorySessionStorage());
    const api = await client.integrationApiRoot();
    const create = (orderNumber: string) =>
      api
        .orders()
        .post({ body: { cart: { typeId: 'cart', id: cart.id }, version: 1, orderNumber } })
        .execute();
    const { body: order } = await create('2026-0001');
    expect(order.orderNumber).toBe('2026-0001');
    const { body: byNumber } = await api.orders().withOrderNumber({ orderNumber: '2026-0001' }).get().execute();
    expect(byNumber.id).toBe(order.id);
    const second = await cartOf(new MemorySessionStorage());
    const again = api
      .orders()
      .post({ body: { cart: { typeId: 'cart', id: second.id }, version: 1, orderNumber: '2026-0001' } })
      .execute();
    expect(await failure(again)).toMatchObject({ status: 400, apiCode: 'DuplicateField' });
  });
});
