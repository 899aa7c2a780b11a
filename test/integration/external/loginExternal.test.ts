import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIntrospectionHandler } from '../../../src/external/createIntrospectionHandler';
import type { ExternalRefresh } from '../../../src/session/ExternalRefresh';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';

const HOUR = 3_600_000;
const SECRET = 'Bearer introspection-secret-0123456789abcdef';

let h: StrictHarness | undefined;
let endpoint: Server | undefined;
afterEach(async () => {
  await h?.stop();
  await new Promise((resolve) => (endpoint ? endpoint.close(resolve) : resolve(undefined)));
  h = endpoint = undefined;
});

/**
 * The whole External OAuth path over real HTTP: the library calls the strict server with the
 * provider's token; the server, as commercetools does, POSTs it to the shop's introspection endpoint
 * (createIntrospectionHandler on 127.0.0.1) with the project's Authorization header, and serves the
 * customer the answer names.
 */
async function setup(refresh?: ExternalRefresh) {
  h = await createStrictHarness(refresh ? { externalAuth: { refresh } } : {});
  const harness = h;
  const provider = new Map<string, { customerId: string; exp: number }>();
  let seq = 0;
  const issue = (customerId: string) => {
    seq += 1;
    const token = `idp.${seq}.${customerId}`;
    const exp = harness.clock.now() + HOUR;
    provider.set(token, { customerId, exp });
    return { token, expiresAt: new Date(exp) };
  };
  const introspections: string[] = [];
  endpoint = createServer(
    createIntrospectionHandler({
      projectKey: harness.server.projectKey,
      authorization: SECRET,
      clock: harness.clock,
      verify: async (token) => {
        introspections.push(token);
        const known = provider.get(token);
        return known && { customerId: known.customerId, expiresAt: new Date(known.exp) };
      },
    }),
  );
  await new Promise<void>((resolve) => endpoint!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/introspect`;
  harness.server.externalOAuth = {
    introspect: async (token) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: SECRET, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
      return (await response.json()) as { active: boolean };
    },
  };
  const storage = new MemorySessionStorage('shopper');
  const inSession = <T>(work: () => Promise<T>) => runWithCtpSession(storage, work);
  return { h: harness, issue, introspections, storage, inSession };
}

describe('loginExternal over real HTTP, through the shop introspection endpoint', () => {
  it("should move the anonymous cart to the customer and serve /me with the provider's token", async () => {
    const w = await setup();
    const anonymousRoot = await w.inSession(() => w.h.client.customerApiRoot());
    const cart = await w.inSession(() =>
      anonymousRoot
        .me()
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute(),
    );
    const anonymous = (await w.inSession(() => w.h.session.current()))!;
    const { token, expiresAt } = w.issue(w.h.customer.id);
    await w.inSession(() => w.h.session.loginExternal(token, { customerId: w.h.customer.id, expiresAt }));

    const root = await w.inSession(() => w.h.client.customerApiRoot());
    const me = await w.inSession(() => root.me().get().execute());
    expect(me.body.id).toBe(w.h.customer.id);
    const active = await w.inSession(() => root.me().activeCart().get().execute());
    expect(active.body).toMatchObject({ id: cart.body.id, customerId: w.h.customer.id });
    expect(w.introspections).toContain(token);
    const merge = w.h.server.apiCalls.find((c) => c.path.endsWith('/merge'))!;
    expect(merge).toMatchObject({ method: 'POST', kind: 'client', status: 200 });

    await w.h.session.settled();
    expect(w.h.server.accessTokens.has(anonymous.accessToken)).toBe(false);
    expect(w.h.server.refreshTokens.has(anonymous.refreshToken)).toBe(false);
    await w.inSession(() => w.h.session.logout());
    expect(await w.storage.get()).toBeUndefined();
  });

  it('should renew through the module refresh after expiry, and refuse a token the endpoint does not vouch for', async () => {
    let calls = 0;
    const w = await setup(async ({ customerId }) => {
      calls += 1;
      return w.issue(customerId);
    });
    const first = w.issue(w.h.customer.id);
    await w.inSession(() => w.h.session.loginExternal(first.token, { ...first, customerId: w.h.customer.id }));
    w.h.clock.advance(HOUR + 1);
    const roots = await Promise.all(Array.from({ length: 5 }, () => w.inSession(() => w.h.client.customerApiRoot())));
    expect(calls).toBe(1);
    const me = await w.inSession(() => roots[0]!.me().get().execute());
    expect(me.body.id).toBe(w.h.customer.id);
    // A bearer nobody issued: the endpoint answers inactive, the server 401.
    const refused = await fetch(`${w.h.server.url}/${w.h.server.projectKey}/me`, {
      headers: { authorization: 'Bearer idp.forged.token' },
    });
    expect(refused.status).toBe(401);
  });

  it('should leave no anonymous token live and the session either empty or the external one when loginExternal races logout', async () => {
    for (let round = 0; round < 10; round += 1) {
      const { h: harness, issue, inSession } = await setup();
      const root = await inSession(() => harness.client.customerApiRoot());
      await inSession(() =>
        root
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute(),
      );
      const anonymous = (await inSession(() => harness.session.current()))!;
      const { token, expiresAt } = issue(harness.customer.id);
      const [login, logout] = await Promise.allSettled([
        inSession(() => harness.session.loginExternal(token, { customerId: harness.customer.id, expiresAt })),
        inSession(() => harness.session.logout()),
      ]);
      await harness.session.settled();
      expect(logout.status).toBe('fulfilled');
      const final = await inSession(() => harness.session.current());
      if (final !== undefined) {
        expect(login.status).toBe('fulfilled');
        expect(final).toMatchObject({ accessToken: token, external: true });
      }
      // Whatever order they landed in, nothing of the anonymous session is left live at the platform.
      expect(harness.server.accessTokens.has(anonymous.accessToken)).toBe(false);
      expect(harness.server.refreshTokens.has(anonymous.refreshToken)).toBe(false);
      await harness.stop();
      await new Promise((resolve) => endpoint!.close(resolve));
      h = endpoint = undefined;
    }
  });
});
