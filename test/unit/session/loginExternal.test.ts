import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { CtpError } from '../../../src/errors/CtpError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { CtpModuleOptions } from '../../../src/module/CtpModuleOptions';
import { createCtpServices } from '../../../src/module/createCtpServices';
import type { ExternalRefresh } from '../../../src/session/ExternalRefresh';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import {
  createMockCommercetools,
  type MockCommercetoolsOptions,
} from '../../../src/testing/mock/createMockCommercetools';
import type { Logger } from '../../../src/util/Logger';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The app's identity provider: tokens it issued, each for a customer until its expiry; it can revoke them. */
function provider(now: () => number) {
  const tokens = new Map<string, { customerId: string; exp: number }>();
  let seq = 0;
  return {
    tokens,
    issue(customerId: string, lifetimeMs = HOUR) {
      seq += 1;
      const token = `provider.token-${seq}`;
      const exp = now() + lifetimeMs;
      tokens.set(token, { customerId, exp });
      return { token, expiresAt: new Date(exp) };
    },
    /** What the shop's introspection endpoint answers (createIntrospectionHandler's shape). */
    async introspect(token: string) {
      const known = tokens.get(token);
      if (!known || known.exp <= now()) return { active: false };
      return {
        active: true,
        exp: Math.floor(known.exp / 1000),
        scope: `manage_my_orders:test-project manage_my_profile:test-project view_published_products:test-project customer_id:${known.customerId}`,
      };
    },
  };
}

function world(options: { mock?: MockCommercetoolsOptions; module?: CtpModuleOptions } = {}) {
  let now = Date.UTC(2026, 11, 7, 12);
  const clock = () => now;
  const idp = provider(clock);
  const lines: string[] = [];
  const log = (obj: object, msg?: string) => void lines.push(JSON.stringify({ ...obj, msg }));
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  const mock = createMockCommercetools({
    customers: [{ id: 'cust-ext', email: 'ext@example.com', password: 'unused-Passw0rd!' }],
    externalOAuth: idp,
    ...options.mock,
    now: clock,
  });
  const instance = (module: CtpModuleOptions = {}) =>
    createCtpServices(loadCtpConfig(mock.env), { fetch: mock.fetch, clock: { now: clock }, logger, ...module });
  const services = instance(options.module);
  const storage = new MemorySessionStorage('shopper-1');
  const inSession = <T>(work: () => Promise<T>) => runWithCtpSession(storage, work);
  /** An anonymous shopper with a cart holding one line item. */
  const anonymousWithCart = async () => {
    const root = await inSession(() => services.client.customerApiRoot());
    const cart = await inSession(() =>
      root
        .me()
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute(),
    );
    return { cart: cart.body, anonymous: (await storage.get())! };
  };
  const apiRequests = () => mock.requests.filter((r) => r.host === 'api');
  return {
    mock,
    services,
    instance,
    storage,
    inSession,
    idp,
    lines,
    anonymousWithCart,
    apiRequests,
    now: clock,
    advance: (ms: number) => (now += ms),
  };
}

describe('ctpSession.loginExternal against the strict mock', () => {
  it("should store the provider's token, send it as the bearer, merge the anonymous cart in the integration's name and revoke the anonymous tokens", async () => {
    const w = world();
    const { cart, anonymous } = await w.anonymousWithCart();
    const { token, expiresAt } = w.idp.issue('cust-ext');
    const signedIn = await w.inSession(() =>
      w.services.session.loginExternal(token, { customerId: 'cust-ext', expiresAt }),
    );
    expect(signedIn).toMatchObject({ kind: 'customer', external: true, customerId: 'cust-ext', accessToken: token });
    // Stored compact, as an external kind, with nothing the app did not hand in but a lineage id.
    const stored = (await w.storage.get()) as unknown as Record<string, unknown>;
    expect(stored).toMatchObject({ v: 2, k: 'e', a: token, c: 'cust-ext', e: expiresAt.getTime() });
    expect(String(stored['r'])).toMatch(/^external:[0-9a-f-]{36}$/);
    expect(Object.keys(stored).sort()).toEqual(['a', 'c', 'e', 'i', 'k', 'r', 's', 'v']);

    const merge = w.apiRequests().find((r) => r.apiPath === '/carts/customer-id=cust-ext/merge')!;
    expect(merge).toMatchObject({
      method: 'POST',
      json: { anonymousId: anonymous.n, mergeMode: 'MergeWithExistingCustomerCart', updateProductData: false },
    });
    expect(merge.identity?.kind).toBe('client');

    const root = await w.inSession(() => w.services.client.customerApiRoot());
    const active = await w.inSession(() => root.me().activeCart().get().execute());
    expect(active.body).toMatchObject({ id: cart.id, customerId: 'cust-ext' });
    const last = w.apiRequests().at(-1)!;
    expect(last.headers['authorization']).toBe(`Bearer ${token}`);
    expect(last.identity).toMatchObject({ kind: 'customer', customerId: 'cust-ext' });

    await w.services.session.settled();
    expect(w.mock.isLive(anonymous.a)).toBe(false);
    expect(w.mock.isLive(anonymous.r)).toBe(false);
    // The provider's token never reaches the auth host, nor a log.
    for (const r of w.mock.requests.filter((q) => q.host === 'auth')) expect(r.body).not.toContain(token);
    for (const line of w.lines) expect(line).not.toContain(token);
    await w.services.close();
  });

  it("should merge into the customer's existing cart in a Store, and sign in without a cart to merge", async () => {
    const w = world();
    const storeKey = 'berlin';
    await w.inSession(() => w.services.session.ensureAnonymous({ storeKey }));
    const { token, expiresAt } = w.idp.issue('cust-ext');
    // No anonymous cart: Merge Cart answers 404, which is nothing to merge.
    await w.inSession(() => w.services.session.loginExternal(token, { customerId: 'cust-ext', expiresAt }));
    const merge = w.apiRequests().find((r) => r.apiPath.endsWith('/merge'))!;
    expect(merge.apiPath).toBe(`/in-store/key=${storeKey}/carts/customer-id=cust-ext/merge`);
    expect(await w.inSession(() => w.services.session.current())).toMatchObject({ storeKey, external: true });
    await w.services.close();
  });

  it('should refuse bad arguments with CTP_INVALID_ARGUMENT, having changed nothing', async () => {
    const w = world();
    const before = await w.inSession(() => w.services.session.ensureAnonymous());
    const { token, expiresAt } = w.idp.issue('cust-ext');
    const bad: [string, unknown, unknown][] = [
      ['token', 'has space', { customerId: 'cust-ext', expiresAt }],
      ['token', '', { customerId: 'cust-ext', expiresAt }],
      ['customerId', token, { customerId: '', expiresAt }],
      ['expiresAt', token, { customerId: 'cust-ext', expiresAt: new Date(w.now() - 1) }],
      ['expiresAt', token, { customerId: 'cust-ext', expiresAt: 'tomorrow' }],
      ['refresh', token, { customerId: 'cust-ext', expiresAt, refresh: 'yes' }],
    ];
    for (const [argument, value, options] of bad) {
      const error = await w
        .inSession(() => w.services.session.loginExternal(value as string, options as never))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.InvalidArgument, argument });
      expect((error as Error).message).not.toContain(token);
    }
    expect(await w.inSession(() => w.services.session.current())).toEqual(before);
    expect(w.apiRequests().filter((r) => r.apiPath.endsWith('/merge'))).toHaveLength(0);
    await w.services.close();
  });

  it('should put the anonymous session back when Merge Cart fails', async () => {
    const w = world();
    const { anonymous } = await w.anonymousWithCart();
    w.mock.on('POST', /\/merge$/, { statusCode: 500, message: 'boom', errors: [] }, 500);
    const { token, expiresAt } = w.idp.issue('cust-ext');
    const error = await w
      .inSession(() => w.services.session.loginExternal(token, { customerId: 'cust-ext', expiresAt }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CtpError);
    expect((error as CtpError).message).toContain('manage_orders');
    expect((await w.storage.get()) as unknown).toEqual(anonymous);
    await w.services.session.settled();
    expect(w.mock.isLive(anonymous.a)).toBe(true);
    await w.services.close();
  });

  it("should clear the session on logout without sending the provider's token to commercetools", async () => {
    const w = world();
    await w.anonymousWithCart();
    const { token, expiresAt } = w.idp.issue('cust-ext');
    await w.inSession(() => w.services.session.loginExternal(token, { customerId: 'cust-ext', expiresAt }));
    await w.inSession(() => w.services.session.logout());
    await w.services.session.settled();
    expect(await w.storage.get()).toBeUndefined();
    const revokes = w.mock.requests.filter((r) => r.path === '/oauth/token/revoke');
    expect(revokes.length).toBeGreaterThan(0); // the anonymous pair's, at the sign-in
    for (const r of revokes) expect(r.form.get('token')).not.toMatch(/^(provider\.|external:)/);
    expect(w.idp.tokens.has(token)).toBe(true);
    await w.services.close();
  });

  it('should call refresh once for concurrent callers past expiry, and once in the background inside the margin', async () => {
    const w = world();
    const first = w.idp.issue('cust-ext');
    let calls = 0;
    const refresh: ExternalRefresh = async (session) => {
      calls += 1;
      expect(session).toMatchObject({ customerId: 'cust-ext' });
      await new Promise((resolve) => setImmediate(resolve));
      return w.idp.issue(session.customerId);
    };
    await w.inSession(() =>
      w.services.session.loginExternal(first.token, { ...first, customerId: 'cust-ext', refresh }),
    );
    // Inside the margin (the last 6 minutes of an hour): the current token serves, one refresh runs behind.
    w.advance(HOUR - 3 * MINUTE);
    const inMargin = await Promise.all(
      Array.from({ length: 10 }, () => w.inSession(() => w.services.session.accessToken())),
    );
    expect(new Set(inMargin.map((t) => t.accessToken))).toEqual(new Set([first.token]));
    await w.services.session.settled();
    expect(calls).toBe(1);
    const second = (await w.inSession(() => w.services.session.current()))!;
    expect(second.accessToken).not.toBe(first.token);
    // Past expiry: every caller waits for the one refresh.
    w.advance(2 * HOUR);
    const roots = await Promise.all(
      Array.from({ length: 10 }, () => w.inSession(() => w.services.client.customerApiRoot())),
    );
    expect(calls).toBe(2);
    const third = (await w.inSession(() => w.services.session.current()))!;
    expect(third.accessToken).not.toBe(second.accessToken);
    await w.inSession(() => roots[0]!.me().get().execute());
    expect(w.apiRequests().at(-1)!.headers['authorization']).toBe(`Bearer ${third.accessToken}`);
    await w.services.close();
  });

  it("should renew with the module's externalAuth.refresh on an instance that did not sign the shopper in, and end the session where none is registered", async () => {
    const w = world();
    const first = w.idp.issue('cust-ext');
    const local = async () => {
      throw new Error('the signing-in process only');
    };
    await w.inSession(() =>
      w.services.session.loginExternal(first.token, { ...first, customerId: 'cust-ext', refresh: local }),
    );
    const moduleCalls: string[] = [];
    const other = w.instance({
      externalAuth: {
        refresh: async (session) => {
          moduleCalls.push(session.token);
          return w.idp.issue(session.customerId);
        },
      },
    });
    const bare = w.instance();
    w.advance(2 * HOUR);
    const renewed = await w.inSession(() => other.session.accessToken());
    expect(moduleCalls).toEqual([first.token]);
    expect(renewed).toMatchObject({ external: true, customerId: 'cust-ext' });
    expect(renewed.accessToken).not.toBe(first.token);
    // An instance with no refresh at all: the session ends with its token.
    w.advance(2 * HOUR);
    const error = await w.inSession(() => bare.session.accessToken()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CtpErrorCode.SessionExpired });
    expect(await w.storage.get()).toBeUndefined();
    await Promise.all([w.services.close(), other.close(), bare.close()]);
  });

  it('should clear the session when refresh answers undefined, and keep it through a transient failure until expiry', async () => {
    const w = world();
    const first = w.idp.issue('cust-ext');
    let answer: 'fail' | 'ended' = 'fail';
    const refresh: ExternalRefresh = async () => {
      if (answer === 'fail') throw new Error('provider down');
      return undefined;
    };
    await w.inSession(() =>
      w.services.session.loginExternal(first.token, { ...first, customerId: 'cust-ext', refresh }),
    );
    w.advance(HOUR - MINUTE);
    expect((await w.inSession(() => w.services.session.accessToken())).accessToken).toBe(first.token);
    await w.services.session.settled();
    expect(w.lines.some((l) => l.includes('ctp.renewal.deferred'))).toBe(true);
    w.advance(2 * MINUTE);
    const transient = await w.inSession(() => w.services.session.accessToken()).catch((e: unknown) => e);
    expect(transient).toMatchObject({ code: CtpErrorCode.AuthUnavailable });
    expect(await w.inSession(() => w.services.session.current())).toMatchObject({ accessToken: first.token });
    answer = 'ended';
    const ended = await w.inSession(() => w.services.session.accessToken()).catch((e: unknown) => e);
    expect(ended).toMatchObject({ code: CtpErrorCode.SessionExpired });
    expect(await w.storage.get()).toBeUndefined();
    await w.services.close();
  });

  it('should recover from a 401 of a token the provider revoked early by calling refresh', async () => {
    const w = world();
    const first = w.idp.issue('cust-ext');
    let calls = 0;
    const refresh: ExternalRefresh = async (session) => {
      calls += 1;
      return w.idp.issue(session.customerId);
    };
    await w.inSession(() =>
      w.services.session.loginExternal(first.token, { ...first, customerId: 'cust-ext', refresh }),
    );
    w.idp.tokens.delete(first.token);
    const root = await w.inSession(() => w.services.client.customerApiRoot());
    const me = await w.inSession(() => root.me().get().execute());
    expect(me.body).toMatchObject({ id: 'cust-ext' });
    expect(calls).toBe(1);
    await w.services.close();
  });

  it('should read sessions stored by the earlier formats beside external ones, in both forms', async () => {
    const w = world();
    const read = (value: unknown) =>
      runWithCtpSession(new MemorySessionStorage(`s-${Math.random()}`, value as never), () =>
        w.services.session.current(),
      );
    await w.inSession(() => w.services.session.ensureAnonymous());
    const anonymous = await w.inSession(() => w.services.session.current());
    // Format 2 (compact) and format 1 (the full token of earlier versions) of an anonymous session.
    expect(await read(await w.storage.get())).toEqual(anonymous);
    expect(await read(anonymous)).toEqual(anonymous);
    const { token, expiresAt } = w.idp.issue('cust-ext');
    const external = await w.inSession(() =>
      w.services.session.loginExternal(token, { customerId: 'cust-ext', expiresAt }),
    );
    expect(await read(await w.storage.get())).toEqual(external);
    expect(await read(external)).toEqual(external);
    // An external mark on what is not a customer's session is refused, naming the field.
    const error = await read({ ...anonymous, external: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CtpErrorCode.StoredTokenInvalid, field: 'external' });
    await w.services.close();
  });
});
