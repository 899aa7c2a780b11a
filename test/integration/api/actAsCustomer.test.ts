import { afterEach, describe, expect, it } from 'vitest';
import { API_ENGINE_NAMES } from '../../../src/client/ApiEngine';
import { CART_LOCK_MAX_MS } from '../../../src/client/CustomerService';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { abandonCartLock, shopperWithCart } from '../../support/shopperWithCart';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';

// Customer service over real HTTP to the strict server on 127.0.0.1: the kit's carts with locks,
// per-endpoint scopes, X-External-User-ID as sent on the wire.
let h: StrictHarness | undefined;

afterEach(async () => {
  await h?.close();
  await h?.stop();
  h = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe.each(API_ENGINE_NAMES)('actAsCustomer over real HTTP on the %s engine', (engine) => {
  it("should lock the cart, refuse the shopper's update with CTP_CART_LOCKED, attribute every call and unlock after a throw", async () => {
    h = await createStrictHarness({ api: { engine } });
    const harness = h;
    const { cart, update } = await shopperWithCart(harness, harness.customer);
    const mark = harness.server.apiCalls.length;
    const failure = new Error('the agent closed the ticket halfway');
    let shopperError: unknown;
    const error = await rejection(
      harness.client.actAsCustomer(
        harness.customer.id,
        { agentId: 'agent-42', lockCart: true },
        async ({ apiRoot, cart: locked }) => {
          expect(locked.lock?.clientId).toBe('strict-client');
          shopperError = await rejection(update('carol@elsewhere.example'));
          await apiRoot
            .carts()
            .withId({ ID: locked.id })
            .post({ body: { version: locked.version, actions: [{ action: 'setCountry', country: 'DE' }] } })
            .execute();
          throw failure;
        },
      ),
    );
    expect(error).toBe(failure);
    expect(shopperError).toBeInstanceOf(CtpApiError);
    expect(shopperError).toMatchObject({ code: CtpErrorCode.CartLocked, status: 409 });
    const calls = harness.server.apiCalls.slice(mark);
    const agentCalls = calls.filter((c) => c.kind === 'client');
    expect(agentCalls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /carts/customer-id=${harness.customer.id}`,
      `POST /carts/${cart.id}`, // lockCart
      `POST /carts/${cart.id}`, // the agent's own update
      `GET /carts/${cart.id}`, // the unlock reads the current version
      `POST /carts/${cart.id}`, // unlockCart
    ]);
    expect(agentCalls.every((c) => c.externalUserId === 'agent-42' && c.status === 200)).toBe(true);
    // The shopper's calls are the shopper's, and carry no agent.
    const shopperCalls = calls.filter((c) => c.kind === 'customer');
    expect(shopperCalls.length).toBeGreaterThan(0);
    expect(shopperCalls.every((c) => c.customerId === harness.customer.id && c.externalUserId === undefined)).toBe(
      true,
    );
    expect(harness.server.cart(cart.id)?.['lock']).toBeUndefined();
    expect((await update('carol@after.example')).customerEmail).toBe('carol@after.example');
  });
});

describe('a cart lock left by a crashed process, over real HTTP', () => {
  it('should be refused while fresh, taken over once older than the bound, and releasable by id', async () => {
    h = await createStrictHarness();
    const harness = h;
    const { cart, update } = await shopperWithCart(harness, harness.customer);
    const id = harness.customer.id;
    // A process locks the cart and dies before unlocking it.
    await abandonCartLock(harness.client, id, cart.id);
    expect(await rejection(update('blocked@example.com'))).toMatchObject({ code: CtpErrorCode.CartLocked });
    expect(
      await rejection(harness.client.actAsCustomer(id, { agentId: 'a', lockCart: true }, async () => 1)),
    ).toMatchObject({ code: CtpErrorCode.CartLocked });
    harness.clock.advance(CART_LOCK_MAX_MS + 61_000);
    expect(await harness.client.actAsCustomer(id, { agentId: 'a', lockCart: true }, async () => 'taken')).toBe('taken');
    expect(harness.server.cart(cart.id)?.['lock']).toBeUndefined();
    // And releaseCartLock frees a lock whatever its age.
    await abandonCartLock(harness.client, id, cart.id);
    expect(await harness.client.releaseCartLock(cart.id, { agentId: 'supervisor' })).toEqual({ released: true });
    expect((await update('free@example.com')).customerEmail).toBe('free@example.com');
  });
});
