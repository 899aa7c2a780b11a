import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { CtpError } from '../../src/errors/CtpError';
import { CtpErrorCode } from '../../src/errors/CtpErrorCode';
import type { CtpModuleOptions } from '../../src/module/CtpModuleOptions';
import { createCtpServices } from '../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';
import { createMockCommercetools, type MockCommercetoolsOptions } from '../../src/testing/mock/createMockCommercetools';
import type { Logger } from '../../src/util/Logger';

const MINUTE = 60_000;

function world(mockOptions: MockCommercetoolsOptions = { checkout: { applicationKey: 'web-checkout' } }) {
  let now = Date.UTC(2026, 11, 7, 12);
  const lines: string[] = [];
  const log = (obj: object, msg?: string) => void lines.push(JSON.stringify({ ...obj, msg }));
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  const mock = createMockCommercetools({ ...mockOptions, now: () => now });
  const options: CtpModuleOptions = { fetch: mock.fetch, clock: { now: () => now }, logger };
  const services = createCtpServices(loadCtpConfig(mock.env), options);
  /** A shopper of their own session, with an active cart when `withCart`. */
  const shopper = async (withCart = true) => {
    const storage = new MemorySessionStorage(`s-${Math.random()}`);
    const inSession = <T>(work: () => Promise<T>) => runWithCtpSession(storage, work);
    let cartId: string | undefined;
    if (withCart) {
      const root = await inSession(() => services.client.customerApiRoot());
      cartId = (
        await inSession(() =>
          root
            .me()
            .carts()
            .post({ body: { currency: 'EUR' } })
            .execute(),
        )
      ).body.id;
    }
    return { inSession, cartId };
  };
  const checkoutRequests = () => mock.requests.filter((r) => r.host === 'checkout');
  return { mock, services, shopper, checkoutRequests, lines, advance: (ms: number) => (now += ms), now: () => now };
}

describe('ctpSession.checkoutSession() against the strict mock', () => {
  it("should create a session for the shopper's active cart with a manage_sessions-only token, and hand out only its id", async () => {
    const w = world();
    const alice = await alice_(w);
    const session = await alice.inSession(() => w.services.session.checkoutSession());
    expect(Object.keys(session).sort()).toEqual(['expiresAt', 'sessionId']);
    const kept = w.mock.checkoutSessions.get(session.sessionId)!;
    expect(kept).toMatchObject({ cartId: alice.cartId, applicationKey: 'web-checkout' });
    expect(kept.createdWith).toEqual(['manage_sessions:test-project']);
    expect(session.expiresAt).toEqual(new Date(kept.expiresAt));
    expect(w.checkoutRequests()).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: 'https://session.mock.test/test-project/sessions',
        json: { cart: { cartRef: { id: alice.cartId } }, metadata: { applicationKey: 'web-checkout' } },
      }),
    ]);
    const secrets = w.mock.issuedTokens.filter((t) =>
      w.mock.identityOf(t)?.scopes.includes('manage_sessions:test-project'),
    );
    expect(secrets).toHaveLength(1);
    for (const line of w.lines) expect(line).not.toContain(secrets[0]);
  });

  it('should send nothing for repeated calls, and create once for 20 concurrent calls of one cart', async () => {
    const w = world();
    const alice = await alice_(w);
    const many = await Promise.all(
      Array.from({ length: 20 }, () => alice.inSession(() => w.services.session.checkoutSession())),
    );
    expect(new Set(many.map((s) => s.sessionId)).size).toBe(1);
    await alice.inSession(() => w.services.session.checkoutSession({ cartId: alice.cartId! }));
    expect(w.checkoutRequests()).toHaveLength(1);
    expect(w.mock.checkoutSessions.size).toBe(1);
  });

  it('should refresh inside the last 5 minutes, and create anew when the host says it expired', async () => {
    const w = world();
    const alice = await alice_(w);
    const first = await alice.inSession(() => w.services.session.checkoutSession());
    w.advance(56 * MINUTE);
    const refreshed = await alice.inSession(() => w.services.session.checkoutSession());
    expect(refreshed.sessionId).toBe(first.sessionId);
    expect(refreshed.expiresAt.getTime()).toBe(w.now() + 60 * MINUTE);
    expect(w.checkoutRequests().at(-1)).toMatchObject({ json: { actions: [{ action: 'refresh' }] } });
    w.mock.checkoutSessions.get(first.sessionId)!.expiresAt = w.now();
    w.advance(56 * MINUTE);
    const anew = await alice.inSession(() => w.services.session.checkoutSession());
    expect(anew.sessionId).not.toBe(first.sessionId);
    expect(w.mock.checkoutSessions.size).toBe(2);
  });

  it("should refuse another shopper's cart and a shopper without a cart with CTP_CHECKOUT_CART_NOT_FOUND, creating nothing", async () => {
    const w = world();
    const alice = await alice_(w);
    const bob = await w.shopper(false);
    await bob.inSession(() => w.services.session.ensureAnonymous());
    const theirs = await bob
      .inSession(() => w.services.session.checkoutSession({ cartId: alice.cartId! }))
      .catch((e: unknown) => e);
    expect(CtpError.is(theirs, CtpErrorCode.CheckoutCartNotFound)).toBe(true);
    const none = await bob.inSession(() => w.services.session.checkoutSession()).catch((e: unknown) => e);
    expect(CtpError.is(none, CtpErrorCode.CheckoutCartNotFound)).toBe(true);
    expect(w.checkoutRequests()).toHaveLength(0);
  });

  it('should refuse a cart id that is not one before any request', async () => {
    const w = world();
    const alice = await alice_(w);
    const before = w.mock.requests.length;
    const error = await alice
      .inSession(() => w.services.session.checkoutSession({ cartId: '../carts' }))
      .catch((e: unknown) => e);
    expect(CtpError.is(error, CtpErrorCode.InvalidArgument)).toBe(true);
    expect(w.mock.requests.length).toBe(before);
  });

  it('should answer CTP_CHECKOUT_NOT_CONFIGURED without the checkout option, and CTP_CHECKOUT_REFUSED for a client without manage_sessions', async () => {
    const plain = world({});
    const shopper = await plain.shopper();
    const error = await shopper.inSession(() => plain.services.session.checkoutSession()).catch((e: unknown) => e);
    expect(CtpError.is(error, CtpErrorCode.CheckoutNotConfigured)).toBe(true);

    const lacking = world({
      checkout: { applicationKey: 'web-checkout' },
      // The anonymous set's scopes, not manage_sessions.
      clientScopes: [
        'view_categories',
        'view_published_products',
        'view_shipping_methods',
        'view_standalone_prices',
        'manage_my_orders',
        'manage_my_payments',
        'manage_my_shopping_lists',
        'create_anonymous_token',
      ],
    });
    const other = await lacking.shopper(false);
    const root = await other.inSession(() => lacking.services.client.customerApiRoot());
    await other.inSession(() =>
      root
        .me()
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute(),
    );
    const refused = await other.inSession(() => lacking.services.session.checkoutSession()).catch((e: unknown) => e);
    expect(CtpError.is(refused, CtpErrorCode.CheckoutRefused)).toBe(true);
  });
});

async function alice_(w: ReturnType<typeof world>) {
  return w.shopper(true);
}
