import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { CtpError } from '../../src/errors/CtpError';
import { CtpErrorCode } from '../../src/errors/CtpErrorCode';
import { createCtpServices, type CtpServices } from '../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';
import {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
} from '../../src/testing/embedded/startEmbeddedCommercetools';

// Cart locks on the embedded commercetools (the mock it runs on has none: cartLockPatches), through
// the library over real HTTP: an agent's lock, the shopper refused meanwhile with CTP_CART_LOCKED.

let embedded: EmbeddedCommercetools;
let services: CtpServices;
beforeAll(async () => {
  embedded = await startEmbeddedCommercetools();
  services = createCtpServices(loadCtpConfig(embedded.env));
});
afterAll(async () => {
  await services.close();
  await embedded.stop();
});

describe('cart locks on the embedded commercetools', () => {
  it("should lock the customer's active cart for the agent, refuse the shopper's update meanwhile, and release it", async () => {
    const storage = new MemorySessionStorage('s');
    const inSession = <T>(work: () => Promise<T>) => runWithCtpSession(storage, work);
    const { email, password } = embedded.seeded.customer;
    const customer = await inSession(() => services.session.login(email, password));
    const root = await inSession(() => services.client.customerApiRoot());
    const created = (
      await inSession(() =>
        root
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute(),
      )
    ).body;
    const shopperUpdate = async () => {
      const current = (await inSession(() => root.me().carts().withId({ ID: created.id }).get().execute())).body;
      const actions = [{ action: 'setCountry' as const, country: 'DE' }];
      return inSession(() =>
        root
          .me()
          .carts()
          .withId({ ID: created.id })
          .post({ body: { version: current.version, actions } })
          .execute(),
      );
    };
    const refused = await services.client.actAsCustomer(
      customer.customerId!,
      { agentId: 'agent-7', lockCart: true },
      async ({ apiRoot, cart }) => {
        expect(cart.id).toBe(created.id);
        expect(cart.lock).toMatchObject({ clientId: embedded.clientId });
        const error = await shopperUpdate().catch((e: unknown) => e);
        const actions = [{ action: 'setCustomerEmail' as const, email: 'support@example.com' }];
        await apiRoot
          .carts()
          .withId({ ID: cart.id })
          .post({ body: { version: cart.version, actions } })
          .execute();
        return error;
      },
    );
    expect(CtpError.is(refused, CtpErrorCode.CartLocked)).toBe(true);
    const after = await shopperUpdate();
    expect(after.body).toMatchObject({ customerEmail: 'support@example.com', country: 'DE' });
    expect(after.body.lock).toBeUndefined();
  });

  it('should refuse a lock by a token without manage_locked_carts', async () => {
    const plain = createCtpServices(loadCtpConfig(embedded.env), {
      scopes: { customerService: ['view_customers', 'manage_orders'] },
    });
    const storage = new MemorySessionStorage('t');
    const { email, password } = embedded.seeded.customer;
    const customer = await runWithCtpSession(storage, () => plain.session.login(email, password));
    const root = await runWithCtpSession(storage, () => plain.client.customerApiRoot());
    await runWithCtpSession(storage, () =>
      root
        .me()
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute(),
    );
    const error = await plain.client
      .actAsCustomer(customer.customerId!, { agentId: 'agent-7', lockCart: true }, async () => 'unreached')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CtpError);
    expect((error as CtpError).code).not.toBe(CtpErrorCode.CartLocked);
    await plain.close();
  });
});
