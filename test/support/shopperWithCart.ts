import type { Cart } from '@commercetools/platform-sdk';
import type { CtpClient } from '../../src/client/CtpClient';
import type { CtpSession } from '../../src/session/CtpSession';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';

/**
 * A customer signs in and creates their active cart (EUR); `update(email)` then sets its customer
 * email in the customer's name, on the version read just before (so only a refusal makes it fail).
 */
export async function shopperWithCart(
  services: { session: CtpSession; client: CtpClient },
  customer: { email: string; password: string },
): Promise<{ storage: MemorySessionStorage; cart: Cart; update: (email: string) => Promise<Cart> }> {
  const storage = new MemorySessionStorage();
  const inSession = <T>(work: () => Promise<T>) => runWithCtpSession(storage, work);
  const cart = await inSession(async () => {
    await services.session.login(customer.email, customer.password);
    const body = { currency: 'EUR' };
    return (await (await services.client.customerApiRoot()).me().carts().post({ body }).execute()).body;
  });
  const update = (email: string) =>
    inSession(async () => {
      const carts = (await services.client.customerApiRoot()).me().carts();
      const { body: current } = await carts.withId({ ID: cart.id }).get().execute();
      const body = { version: current.version, actions: [{ action: 'setCustomerEmail' as const, email }] };
      return (await carts.withId({ ID: cart.id }).post({ body }).execute()).body;
    });
  return { storage, cart, update };
}

/** What a process that dies mid-callback leaves: this API client's lock on the cart, with nobody to release it. */
export async function abandonCartLock(client: CtpClient, customerId: string, cartId: string): Promise<void> {
  await client.actAsCustomer(customerId, { agentId: 'crashed' }, async ({ apiRoot }) => {
    const { body } = await apiRoot.carts().withId({ ID: cartId }).get().execute();
    const actions = [{ action: 'lockCart' as const }];
    await apiRoot
      .carts()
      .withId({ ID: cartId })
      .post({ body: { version: body.version, actions } })
      .execute();
  });
}
