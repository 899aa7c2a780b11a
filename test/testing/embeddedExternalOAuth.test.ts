import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { createIntrospectionHandler } from '../../src/external/createIntrospectionHandler';
import { createCtpServices, type CtpServices } from '../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';
import {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
} from '../../src/testing/embedded/startEmbeddedCommercetools';

// External OAuth on the embedded commercetools over real HTTP: the server asks the app's own
// introspection endpoint (createIntrospectionHandler) about a bearer it did not issue.

const AUTHORIZATION = 'Bearer introspection-secret-for-the-embedded-test';
const PROVIDER_TOKEN = 'provider-token-of-alice';
let introspection: Server;
let embedded: EmbeddedCommercetools;
let services: CtpServices;
let aliceId = '';

beforeAll(async () => {
  introspection = createServer(
    createIntrospectionHandler({
      projectKey: 'demo-project',
      authorization: AUTHORIZATION,
      verify: async (token) =>
        token === PROVIDER_TOKEN ? { customerId: aliceId, expiresAt: new Date(Date.now() + 3_600_000) } : undefined,
    }),
  );
  await new Promise<void>((resolve) => introspection.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(introspection.address() as AddressInfo).port}/introspect`;
  embedded = await startEmbeddedCommercetools({ externalOAuth: { url, authorizationHeader: AUTHORIZATION } });
  aliceId = embedded.seeded.customer.id;
  services = createCtpServices(loadCtpConfig(embedded.env));
});
afterAll(async () => {
  await services.close();
  await embedded.stop();
  await new Promise((resolve) => introspection.close(resolve));
});

describe('External OAuth on the embedded commercetools', () => {
  it("should serve /me to the provider's token after loginExternal, with the anonymous cart merged into the customer's", async () => {
    const storage = new MemorySessionStorage('s');
    const inSession = <T>(work: () => Promise<T>) => runWithCtpSession(storage, work);
    const anonymousRoot = await inSession(() => services.client.customerApiRoot());
    const cart = (
      await inSession(() =>
        anonymousRoot
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute(),
      )
    ).body;
    await inSession(() =>
      services.session.loginExternal(PROVIDER_TOKEN, {
        customerId: aliceId,
        expiresAt: new Date(Date.now() + 3_600_000),
      }),
    );
    const root = await inSession(() => services.client.customerApiRoot());
    const me = (await inSession(() => root.me().get().execute())).body;
    expect(me.id).toBe(aliceId);
    const active = (await inSession(() => root.me().activeCart().get().execute())).body;
    expect(active).toMatchObject({ id: cart.id, customerId: aliceId });
  });

  it('should refuse a token the introspection does not call active', async () => {
    const answer = await fetch(`${embedded.apiUrl}/${embedded.projectKey}/me`, {
      headers: { authorization: 'Bearer some-forged-provider-token' },
    });
    expect(answer.status).toBe(401);
  });
});
