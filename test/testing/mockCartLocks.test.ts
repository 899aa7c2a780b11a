import { describe, expect, it } from 'vitest';
import { createMockCommercetools, type MockCommercetools } from '../../src/testing/mock/createMockCommercetools';

// The kit's cart locks as the platform documents them (lockCart/unlockCart, manage_locked_carts,
// cart.lock = { createdAt, clientId }), spoken to with plain fetch: no library in between.

const NOW = Date.UTC(2026, 11, 7, 12);

async function grant(mock: MockCommercetools, path: string, form: Record<string, string>): Promise<string> {
  const basic = Buffer.from(`${mock.env.CTP_CLIENT_ID}:${mock.env.CTP_CLIENT_SECRET}`).toString('base64');
  const answer = await mock.fetch(`${mock.env.CTP_AUTH_URL}${path}`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { access_token: string }).access_token;
}

async function setup() {
  const mock = createMockCommercetools({ now: () => NOW });
  const key = mock.projectKey;
  const alice = mock.customers[0]!;
  const backend = (scopes: string[]) =>
    grant(mock, '/oauth/token', {
      grant_type: 'client_credentials',
      scope: scopes.map((s) => `${s}:${key}`).join(' '),
    });
  const agent = await backend(['manage_orders', 'manage_locked_carts']);
  const plain = await backend(['manage_orders']);
  const shopper = await grant(mock, `/oauth/${key}/customers/token`, {
    grant_type: 'password',
    username: alice.email,
    password: alice.password,
    scope: `manage_my_orders:${key}`,
  });
  const call = async (token: string, method: string, path: string, body?: unknown, headers = {}) => {
    const answer = await mock.fetch(`${mock.env.CTP_API_URL}/${key}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };
  const created = await call(shopper, 'POST', '/me/carts', { currency: 'EUR' });
  const cart = created.body as { id: string; version: number };
  const update = (token: string, version: number, action: Record<string, unknown>, headers = {}) =>
    call(token, 'POST', `/carts/${cart.id}`, { version, actions: [action] }, headers);
  return { mock, alice, agent, plain, shopper, call, cart, update };
}

describe("the mocked commercetools' cart locks", () => {
  it('should lock only for a token holding manage_locked_carts, recording when and which API client', async () => {
    const { mock, plain, agent, cart, update } = await setup();
    const refused = await update(plain, cart.version, { action: 'lockCart' });
    expect(refused.status).toBe(403);
    expect(refused.body['errors']).toEqual([expect.objectContaining({ code: 'insufficient_scope' })]);
    const locked = await update(agent, cart.version, { action: 'lockCart' });
    expect(locked.status).toBe(200);
    expect(locked.body['lock']).toEqual({ createdAt: new Date(NOW).toISOString(), clientId: mock.env.CTP_CLIENT_ID });
    const again = await update(agent, cart.version + 1, { action: 'lockCart' });
    expect(again.status).toBe(400);
  });

  it("should refuse every other update of a locked cart, the shopper's included, until it is unlocked", async () => {
    const { agent, plain, shopper, call, cart, update } = await setup();
    await update(agent, cart.version, { action: 'lockCart' });
    const version = cart.version + 1;
    const shopperUpdate = () =>
      call(shopper, 'POST', `/me/carts/${cart.id}`, {
        version,
        actions: [{ action: 'setCustomerEmail', email: 'me@example.com' }],
      });
    expect((await shopperUpdate()).status).toBe(400);
    expect((await update(plain, version, { action: 'setCountry', country: 'DE' })).status).toBe(400);
    expect((await update(plain, version, { action: 'unlockCart' })).status).toBe(403);
    // The shopper still reads it, lock and all: that is how a refusal is recognised.
    expect((await call(shopper, 'GET', `/me/carts/${cart.id}`)).body['lock']).toBeDefined();
    const edited = await update(agent, version, { action: 'setCountry', country: 'DE' });
    expect(edited.status).toBe(200);
    const unlocked = await update(agent, version + 1, { action: 'unlockCart' });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body['lock']).toBeUndefined();
    const after = await call(shopper, 'POST', `/me/carts/${cart.id}`, {
      version: version + 2,
      actions: [{ action: 'setCustomerEmail', email: 'me@example.com' }],
    });
    expect(after.status).toBe(200);
  });

  it("should find the customer's active cart, in a Store only among the Store's, and record X-External-User-ID", async () => {
    const { alice, agent, call, cart, update } = await setup();
    expect((await call(agent, 'GET', `/carts/customer-id=${alice.id}`)).body['id']).toBe(cart.id);
    expect((await call(agent, 'GET', `/in-store/key=eu/carts/customer-id=${alice.id}`)).status).toBe(404);
    const changed = await update(
      agent,
      cart.version,
      { action: 'setCountry', country: 'DE' },
      {
        'X-External-User-ID': 'agent-7',
      },
    );
    expect(changed.body['lastModifiedBy']).toEqual({ clientId: 'mock-client', externalUserId: 'agent-7' });
  });
});
