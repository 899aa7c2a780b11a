import { describe, expect, it, vi } from 'vitest';
import type { IntrospectionAnswer } from '../../../src/testing/auth/ExternalOAuth';
import {
  createMockCommercetools,
  type MockCommercetools,
  type MockCommercetoolsOptions,
} from '../../../src/testing/mock/createMockCommercetools';

const AUTH = 'https://auth.mock.test';
const API = 'https://api.mock.test/test-project';
const BASIC = `Basic ${Buffer.from('mock-client:mock-client-secret').toString('base64')}`;
const NOW = Date.UTC(2026, 11, 7, 12);
const CUSTOMER = { id: 'cust-ext', email: 'ext@example.com', password: 'unused-Passw0rd!' };

function mockWith(
  answers: Record<string, IntrospectionAnswer | Error | 'slow'>,
  options: MockCommercetoolsOptions = {},
) {
  const asked: string[] = [];
  const mock = createMockCommercetools({
    now: () => NOW,
    customers: [CUSTOMER],
    products: [
      {
        id: 'prod-sock',
        name: 'Sock',
        masterVariant: { sku: 'SOCK', prices: [{ currencyCode: 'EUR', centAmount: 500 }] },
      },
      {
        id: 'prod-boot',
        name: 'Boot',
        masterVariant: { sku: 'BOOT', prices: [{ currencyCode: 'EUR', centAmount: 9_900 }] },
      },
    ],
    externalOAuth: {
      introspect: async (token) => {
        asked.push(token);
        const answer = answers[token] ?? { active: false };
        if (answer === 'slow') return new Promise((resolve) => setTimeout(() => resolve({ active: true }), 700));
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    ...options,
  });
  return { mock, asked };
}

async function grant(mock: MockCommercetools, path: string, form: Record<string, string>): Promise<string> {
  const response = await mock.fetch(`${AUTH}${path}`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

const integration = (mock: MockCommercetools) =>
  grant(mock, '/oauth/token', { grant_type: 'client_credentials', scope: 'manage_orders:test-project' });

async function call(mock: MockCommercetools, method: string, path: string, bearer: string, body?: unknown) {
  const response = await mock.fetch(`${API}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & { errors?: { code: string }[] },
  };
}

/** An anonymous shopper (anonymous grant) with an Active cart holding `sku`, optionally in a Store. */
async function anonymousCart(mock: MockCommercetools, anonymousId: string, sku: string, storeKey?: string) {
  const scope = storeKey === undefined ? 'manage_my_orders:test-project' : `manage_my_orders:test-project:${storeKey}`;
  const token = await grant(mock, '/oauth/test-project/anonymous/token', {
    grant_type: 'client_credentials',
    scope,
    anonymous_id: anonymousId,
  });
  const prefix = storeKey === undefined ? '' : `/in-store/key=${storeKey}`;
  const cart = await call(mock, 'POST', `${prefix}/me/carts`, token, { currency: 'EUR', lineItems: [{ sku }] });
  return cart.body;
}

const ACTIVE = (scope: string, exp = NOW / 1000 + 600): IntrospectionAnswer => ({ active: true, exp, scope });

describe('the mock accepts a token it did not issue only through External OAuth', () => {
  it("should bind /me to the answer's customer_id and hold exactly the answer's scopes of this project", async () => {
    const { mock, asked } = mockWith({
      'idp.good': ACTIVE('manage_my_profile:test-project customer_id:cust-ext unknown_scope:test-project'),
      'idp.narrow': ACTIVE('view_published_products:test-project manage_my_profile:other-project customer_id:cust-ext'),
      'idp.anonymous': ACTIVE('manage_my_profile:test-project'),
    });
    const me = await call(mock, 'GET', '/me', 'idp.good');
    expect(me).toMatchObject({ status: 200, body: { id: 'cust-ext', email: CUSTOMER.email } });
    expect(mock.requests.at(-1)!.identity).toEqual({
      kind: 'customer',
      customerId: 'cust-ext',
      scopes: ['manage_my_profile:test-project'],
    });
    expect(asked).toEqual(['idp.good']);
    expect((await call(mock, 'GET', '/me', 'idp.narrow')).status).toBe(403);
    // Without customer_id the token is nobody's: /me is refused.
    expect((await call(mock, 'GET', '/me', 'idp.anonymous')).status).toBe(403);
  });

  it('should answer 401 to an inactive, expired or unknown token, and ExternalOAuthFailed to a failing or slow endpoint', async () => {
    const { mock } = mockWith({
      'idp.inactive': { active: false, scope: 'manage_my_profile:test-project customer_id:cust-ext' },
      'idp.expired': ACTIVE('manage_my_profile:test-project customer_id:cust-ext', NOW / 1000 - 1),
      'idp.broken': new Error('endpoint down'),
      'idp.slow': 'slow',
    });
    for (const token of ['idp.inactive', 'idp.expired', 'idp.unknown'])
      expect(await call(mock, 'GET', '/me', token)).toMatchObject({
        status: 401,
        body: { errors: [{ code: 'invalid_token' }] },
      });
    expect(await call(mock, 'GET', '/me', 'idp.broken')).toMatchObject({
      status: 401,
      body: { errors: [{ code: 'ExternalOAuthFailed' }] },
    });
  });

  it('should give the endpoint 500 ms, as the platform does', async () => {
    vi.useFakeTimers();
    try {
      const { mock } = mockWith({ 'idp.slow': 'slow' });
      const answer = call(mock, 'GET', '/me', 'idp.slow');
      await vi.advanceTimersByTimeAsync(499);
      let settled = false;
      void answer.then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await answer).toMatchObject({ status: 401, body: { errors: [{ code: 'ExternalOAuthFailed' }] } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('should not ask an endpoint at all without the option', async () => {
    const mock = createMockCommercetools({ now: () => NOW });
    expect((await call(mock, 'GET', '/me', 'idp.any')).status).toBe(401);
  });
});

describe("the mock's Merge Cart", () => {
  const merge = (mock: MockCommercetools, token: string, body: unknown, store = '') =>
    call(mock, 'POST', `${store}/carts/customer-id=cust-ext/merge`, token, body);

  it('should make the anonymous cart the active one of a customer who has none', async () => {
    const { mock } = mockWith({});
    const anonymous = await anonymousCart(mock, 'anon-1', 'SOCK');
    const token = await integration(mock);
    const merged = await merge(mock, token, { anonymousId: 'anon-1', mergeMode: 'MergeWithExistingCustomerCart' });
    expect(merged).toMatchObject({
      status: 200,
      body: { id: anonymous['id'], customerId: 'cust-ext', cartState: 'Active' },
    });
  });

  it("should merge the line items into the customer's cart, or make the anonymous one active, as mergeMode says", async () => {
    const { mock } = mockWith({});
    const token = await integration(mock);
    const own = await call(mock, 'POST', '/carts', token, {
      currency: 'EUR',
      customerId: 'cust-ext',
      lineItems: [{ sku: 'BOOT' }],
    });
    await anonymousCart(mock, 'anon-1', 'SOCK');
    const merged = await merge(mock, token, { anonymousId: 'anon-1', mergeMode: 'MergeWithExistingCustomerCart' });
    expect(merged.body['id']).toBe(own.body['id']);
    expect((merged.body['lineItems'] as { variant: { sku: string } }[]).map((i) => i.variant.sku).sort()).toEqual([
      'BOOT',
      'SOCK',
    ]);
    const second = await anonymousCart(mock, 'anon-2', 'SOCK');
    const replaced = await merge(mock, token, {
      anonymousCart: { typeId: 'cart', id: second['id'] },
      mergeMode: 'UseAsNewActiveCustomerCart',
    });
    expect(replaced.body).toMatchObject({ id: second['id'], customerId: 'cust-ext' });
  });

  it('should take only carts of its Store in-store, and refuse what the platform refuses', async () => {
    const { mock } = mockWith({});
    const token = await integration(mock);
    await anonymousCart(mock, 'anon-b', 'SOCK', 'berlin');
    const mode = { mergeMode: 'MergeWithExistingCustomerCart' };
    expect((await merge(mock, token, { anonymousId: 'anon-b', ...mode }, '/in-store/key=vienna')).status).toBe(404);
    expect((await merge(mock, token, { anonymousId: 'anon-b', ...mode }, '/in-store/key=berlin')).body).toMatchObject({
      customerId: 'cust-ext',
      store: { key: 'berlin' },
    });
    expect((await merge(mock, token, { anonymousId: 'anon-none', ...mode })).status).toBe(404);
    expect((await merge(mock, token, { anonymousId: 'anon-b' })).status).toBe(400);
    expect(
      (await merge(mock, token, { anonymousId: 'a', anonymousCart: { typeId: 'cart', id: 'x' }, ...mode })).status,
    ).toBe(400);
    const unknown = await call(mock, 'POST', '/carts/customer-id=nobody/merge', token, {
      anonymousId: 'anon-b',
      ...mode,
    });
    expect(unknown.status).toBe(404);
    // manage_orders, as every project /carts write: a shopper's token is refused before anything moves.
    const shopper = await grant(mock, '/oauth/test-project/anonymous/token', {
      grant_type: 'client_credentials',
      scope: 'manage_my_orders:test-project',
    });
    expect(await merge(mock, shopper, { anonymousId: 'anon-b', ...mode })).toMatchObject({
      status: 403,
      body: { errors: [{ code: 'insufficient_scope' }] },
    });
  });
});
