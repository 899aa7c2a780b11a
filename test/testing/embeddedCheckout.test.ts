import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { createCtpServices, type CtpServices } from '../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';
import {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
} from '../../src/testing/embedded/startEmbeddedCommercetools';

// Checkout sessions over real HTTP: the embedded commercetools answers the Checkout session host.

let embedded: EmbeddedCommercetools;
let services: CtpServices;
beforeAll(async () => {
  embedded = await startEmbeddedCommercetools({ checkout: { applicationKey: 'web-checkout' } });
  services = createCtpServices(loadCtpConfig(embedded.env));
});
afterAll(async () => {
  await services.close();
  await embedded.stop();
});

describe('Checkout sessions on the embedded commercetools', () => {
  it('should create one session for 20 concurrent calls of one shopper, with a manage_sessions-only token', async () => {
    const storage = new MemorySessionStorage('s');
    const inSession = <T>(work: () => Promise<T>) => runWithCtpSession(storage, work);
    const root = await inSession(() => services.client.customerApiRoot());
    const cart = (
      await inSession(() =>
        root
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute(),
      )
    ).body;
    const sessions = await Promise.all(
      Array.from({ length: 20 }, () => inSession(() => services.session.checkoutSession())),
    );
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(1);
    expect(embedded.checkoutSessions.size).toBe(1);
    const created = embedded.checkoutSessions.get(sessions[0]!.sessionId)!;
    expect(created).toMatchObject({ cartId: cart.id, applicationKey: 'web-checkout' });
    expect(created.createdWith).toEqual([`manage_sessions:${embedded.projectKey}`]);
    expect(embedded.grants.filter((g) => g.scope === `manage_sessions:${embedded.projectKey}`)).toHaveLength(1);
  });
});
