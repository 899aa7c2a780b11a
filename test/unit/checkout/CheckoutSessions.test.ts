import { describe, expect, it, vi } from 'vitest';
import { LocalCheckoutSessionCache } from '../../../src/checkout/CheckoutSessionCache';
import { CHECKOUT_RENEWAL_MARGIN_MS, CheckoutSessions } from '../../../src/checkout/CheckoutSessions';
import { checkoutHostOf } from '../../../src/config/checkoutHostOf';
import { CtpError } from '../../../src/errors/CtpError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { AccountApi } from '../../../src/session/AccountApi';
import type { TokenSource } from '../../../src/tokens/TokenSource';
import { silentLogger } from '../../../src/util/Logger';

const SESSION_HOST = 'https://session.europe-west1.gcp.commercetools.com';
const API_HOST = 'https://api.europe-west1.gcp.commercetools.com';
const HOUR = 3_600_000;
const CHECKOUT_TOKEN = 'checkout-token-manage-sessions-only';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const hostError = (status: number, code: string) =>
  json({ statusCode: status, message: code, errors: [{ code, message: code }] }, status);

function world(answer: (call: Call, n: number) => Response | Promise<Response>) {
  let now = Date.UTC(2026, 11, 7, 12);
  const calls: Call[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const call = {
      url,
      method: init.method ?? 'GET',
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return answer(call, calls.length);
  });
  const checkoutToken = { get: vi.fn(async () => ({ accessToken: CHECKOUT_TOKEN })), invalidate: vi.fn() };
  const api = (apiUrl: string) =>
    new AccountApi({
      apiUrl,
      projectKey: 'shop',
      fetch: () => fetch,
      timeoutMs: 5_000,
      integration: checkoutToken as never,
    });
  const sessions = new CheckoutSessions({
    host: api(SESSION_HOST),
    api: api(API_HOST),
    applicationKey: 'web-checkout',
    cache: new LocalCheckoutSessionCache(),
    clock: { now: () => now },
    logger: silentLogger,
  });
  const at = (ms: number) => new Date(now + ms).toISOString();
  return {
    sessions,
    calls,
    checkoutToken,
    at,
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

const shopper = (accessToken = 'shopper-token'): TokenSource => ({
  owner: 'shopper' as never,
  accessToken,
  key: {},
  recover: vi.fn(async () => 'shopper-token-recovered'),
});

describe('CheckoutSessions', () => {
  it("should read the shopper's active cart in the shopper's name, then create the session with the checkout token", async () => {
    const w = world((call) =>
      call.url.startsWith(API_HOST)
        ? json({ id: 'cart-1', version: 3 })
        : json({ id: 'sess-1', expiryAt: w.at(HOUR), state: 'ACTIVE' }, 201),
    );
    await expect(w.sessions.forShopper(async () => shopper(), undefined)).resolves.toEqual({
      sessionId: 'sess-1',
      expiresAt: new Date(w.now() + HOUR),
    });
    expect(w.calls).toEqual([
      expect.objectContaining({
        url: `${API_HOST}/shop/me/active-cart`,
        method: 'GET',
        headers: expect.objectContaining({ authorization: 'Bearer shopper-token' }),
      }),
      {
        url: `${SESSION_HOST}/shop/sessions`,
        method: 'POST',
        headers: expect.objectContaining({
          authorization: `Bearer ${CHECKOUT_TOKEN}`,
          'content-type': 'application/json',
        }),
        body: { cart: { cartRef: { id: 'cart-1' } }, metadata: { applicationKey: 'web-checkout' } },
      },
    ]);
  });

  it('should check a named cart as the shopper’s, and refuse one that is not with CTP_CHECKOUT_CART_NOT_FOUND and nothing created', async () => {
    const w = world(() => hostError(404, 'ResourceNotFound'));
    const error = await w.sessions.forShopper(async () => shopper(), 'cart-of-someone-else').catch((e: unknown) => e);
    expect(CtpError.is(error, CtpErrorCode.CheckoutCartNotFound)).toBe(true);
    expect(w.calls.map((c) => c.url)).toEqual([`${API_HOST}/shop/me/carts/cart-of-someone-else`]);
    const none = await world(() => hostError(404, 'ResourceNotFound'))
      .sessions.forShopper(async () => shopper(), undefined)
      .catch((e: unknown) => e);
    expect((none as Error).message).toMatch(/no active cart/);
  });

  it('should read the cart again with a recovered token after a 401', async () => {
    const w = world((call, n) =>
      n === 1
        ? hostError(401, 'invalid_token')
        : call.url.startsWith(API_HOST)
          ? json({ id: 'cart-1' })
          : json({ id: 's', expiryAt: w.at(HOUR) }),
    );
    const source = shopper();
    await w.sessions.forShopper(async () => source, undefined);
    expect(source.recover).toHaveBeenCalledWith('shopper-token');
    expect(w.calls[1]!.headers['authorization']).toBe('Bearer shopper-token-recovered');
  });

  it('should pass on the session error when the shopper token cannot be recovered after a 401, creating nothing', async () => {
    const w = world(() => hostError(401, 'invalid_token'));
    const source = shopper();
    const ended = new CtpError(CtpErrorCode.SessionExpired, 'ended');
    vi.mocked(source.recover).mockRejectedValueOnce(ended);
    await expect(w.sessions.forShopper(async () => source, undefined)).rejects.toBe(ended);
    expect(w.calls).toHaveLength(1);
  });

  it('should hand out the kept session until shortly before it expires, sending nothing', async () => {
    const w = world(() => json({ id: 'sess-1', expiryAt: w.at(HOUR) }, 201));
    await w.sessions.forCart('cart-1');
    w.advance(HOUR - CHECKOUT_RENEWAL_MARGIN_MS - 1);
    await expect(w.sessions.forCart('cart-1')).resolves.toMatchObject({ sessionId: 'sess-1' });
    expect(w.calls).toHaveLength(1);
  });

  it('should create once for concurrent calls of one cart, and once per cart', async () => {
    let n = 0;
    const w = world(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return json({ id: `sess-${(n += 1)}`, expiryAt: w.at(HOUR) }, 201);
    });
    const same = await Promise.all(Array.from({ length: 20 }, () => w.sessions.forCart('cart-1')));
    expect(new Set(same.map((s) => s.sessionId)).size).toBe(1);
    await w.sessions.forCart('cart-2');
    expect(w.calls).toHaveLength(2);
  });

  it('should refresh a session inside its renewal margin with the refresh action', async () => {
    const w = world((call) =>
      call.url.endsWith('/sessions')
        ? json({ id: 'sess-1', expiryAt: w.at(HOUR) }, 201)
        : json({ id: 'sess-1', expiryAt: w.at(HOUR) }),
    );
    await w.sessions.forCart('cart-1');
    w.advance(HOUR - CHECKOUT_RENEWAL_MARGIN_MS);
    await expect(w.sessions.forCart('cart-1')).resolves.toEqual({
      sessionId: 'sess-1',
      expiresAt: new Date(w.now() + HOUR),
    });
    expect(w.calls[1]).toMatchObject({
      url: `${SESSION_HOST}/shop/sessions/sess-1`,
      method: 'POST',
      body: { actions: [{ action: 'refresh' }] },
    });
  });

  it.each([
    ['ExpiredSession', 400],
    ['expired_session', 400],
    ['FailedToRefreshSession', 400],
  ])('should create a new session when the refresh answers %s', async (code, status) => {
    let created = 0;
    const w = world((call) =>
      call.url.endsWith('/sessions')
        ? json({ id: `sess-${(created += 1)}`, expiryAt: w.at(HOUR) }, 201)
        : hostError(status, code),
    );
    await w.sessions.forCart('cart-1');
    w.advance(HOUR - 60_000);
    await expect(w.sessions.forCart('cart-1')).resolves.toMatchObject({ sessionId: 'sess-2' });
    expect(w.calls.map((c) => c.url.replace(SESSION_HOST, ''))).toEqual([
      '/shop/sessions',
      '/shop/sessions/sess-1',
      '/shop/sessions',
    ]);
  });

  it('should try the refresh action after expiry too, and create anew when the host says it expired', async () => {
    let created = 0;
    const w = world((call) =>
      call.url.endsWith('/sessions')
        ? json({ id: `sess-${(created += 1)}`, expiryAt: w.at(HOUR) }, 201)
        : hostError(400, 'ExpiredSession'),
    );
    await w.sessions.forCart('cart-1');
    w.advance(HOUR);
    await expect(w.sessions.forCart('cart-1')).resolves.toMatchObject({ sessionId: 'sess-2' });
    expect(w.calls.map((c) => c.url.replace(SESSION_HOST, ''))).toEqual([
      '/shop/sessions',
      '/shop/sessions/sess-1',
      '/shop/sessions',
    ]);
  });

  it('should not hand out an expired session while the host is down', async () => {
    let down = false;
    const w = world(() =>
      down ? hostError(503, 'ServiceUnavailable') : json({ id: 'sess-1', expiryAt: w.at(HOUR) }, 201),
    );
    await w.sessions.forCart('cart-1');
    w.advance(HOUR);
    down = true;
    const error = await w.sessions.forCart('cart-1').catch((e: unknown) => e);
    expect(CtpError.is(error, CtpErrorCode.CheckoutUnavailable)).toBe(true);
  });

  it('should serve a session still valid while its refresh finds the host down, and refresh on the next call', async () => {
    let down = true;
    const w = world((call) =>
      call.url.endsWith('/sessions')
        ? json({ id: 'sess-1', expiryAt: w.at(HOUR) }, 201)
        : down
          ? hostError(503, 'ServiceUnavailable')
          : json({ id: 'sess-1', expiryAt: w.at(HOUR) }),
    );
    const first = await w.sessions.forCart('cart-1');
    w.advance(HOUR - 60_000);
    await expect(w.sessions.forCart('cart-1')).resolves.toEqual(first);
    down = false;
    await expect(w.sessions.forCart('cart-1')).resolves.toEqual({
      sessionId: 'sess-1',
      expiresAt: new Date(w.now() + HOUR),
    });
  });

  it.each([
    ['a 403 (no manage_sessions)', () => hostError(403, 'insufficient_scope'), CtpErrorCode.CheckoutRefused],
    ['CartNotFound', () => hostError(400, 'CartNotFound'), CtpErrorCode.CheckoutCartNotFound],
    ['a 503', () => hostError(503, 'ServiceUnavailable'), CtpErrorCode.CheckoutUnavailable],
    ['no answer', () => Promise.reject(new TypeError('fetch failed')), CtpErrorCode.CheckoutUnavailable],
    [
      'an answer without id',
      () => json({ expiryAt: '2099-01-01T00:00:00.000Z' }, 201),
      CtpErrorCode.CheckoutAnswerInvalid,
    ],
    [
      'an id with a slash',
      () => json({ id: '../x', expiryAt: '2099-01-01T00:00:00.000Z' }, 201),
      CtpErrorCode.CheckoutAnswerInvalid,
    ],
    [
      'an expiryAt in the past',
      () => json({ id: 's', expiryAt: '2020-01-01T00:00:00.000Z' }, 201),
      CtpErrorCode.CheckoutAnswerInvalid,
    ],
    ['a proxy page', () => new Response('<html>502</html>', { status: 502 }), CtpErrorCode.CheckoutUnavailable],
  ])(
    'should fail a creation answered with %s with its CTP_CHECKOUT_ code, no token in it, and keep nothing',
    async (_, answer, code) => {
      const w = world(answer);
      const error = await w.sessions.forCart('cart-1').catch((e: unknown) => e);
      expect(CtpError.is(error, code)).toBe(true);
      expect(JSON.stringify(error)).not.toContain(CHECKOUT_TOKEN);
      expect(String((error as Error).stack)).not.toContain(CHECKOUT_TOKEN);
      await w.sessions.forCart('cart-1').catch(() => undefined);
      expect(w.calls).toHaveLength(2);
    },
  );

  it('should send the request again with a fresh checkout token after a 401, invalidating the refused one', async () => {
    const w = world((_, n) =>
      n === 1 ? hostError(401, 'invalid_token') : json({ id: 's', expiryAt: w.at(HOUR) }, 201),
    );
    await w.sessions.forCart('cart-1');
    expect(w.checkoutToken.invalidate).toHaveBeenCalledWith(CHECKOUT_TOKEN);
    expect(w.calls).toHaveLength(2);
  });
});

describe('checkoutHostOf', () => {
  it.each([
    ['https://api.europe-west1.gcp.commercetools.com', 'https://session.europe-west1.gcp.commercetools.com'],
    ['https://api.us-central1.gcp.commercetools.com/', 'https://session.us-central1.gcp.commercetools.com'],
    ['https://api.eu-central-1.aws.commercetools.com', 'https://session.eu-central-1.aws.commercetools.com'],
    ['http://127.0.0.1:8080', undefined],
    ['https://api.commercetools.com.evil.test', undefined],
    ['not a url', undefined],
  ])('should map %s to %s', (api, session) => {
    expect(checkoutHostOf(api)).toBe(session);
  });
});
