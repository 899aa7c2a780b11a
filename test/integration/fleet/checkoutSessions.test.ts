import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { CtpError } from '../../../src/errors/CtpError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { RedisLike } from '../../../src/fleet/RedisLike';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createMockCommercetools } from '../../../src/testing/mock/createMockCommercetools';
import { useRedis } from '../../support/redis/useRedis';

// Checkout sessions across instances: one Redis, one commercetools (the kit's mock), two services.

const redis = useRedis();
const MINUTE = 60_000;

function fleet(redisClient: RedisLike = redis, fallbackToLocal = false) {
  let now = Date.now();
  const mock = createMockCommercetools({ checkout: { applicationKey: 'web-checkout' }, now: () => now });
  const instance = () =>
    createCtpServices(loadCtpConfig(mock.env), {
      fetch: mock.fetch,
      clock: { now: () => now },
      redis: { client: redisClient, fallbackToLocal },
    });
  const checkoutCalls = () => mock.requests.filter((r) => r.host === 'checkout');
  return { mock, one: instance(), two: instance(), checkoutCalls, advance: (ms: number) => (now += ms) };
}

/** A shopper with an active cart, whose session each instance reads from its own copy. */
async function shopperWithCart(services: ReturnType<typeof fleet>['one']) {
  const storage = new MemorySessionStorage('sid');
  const root = await runWithCtpSession(storage, () => services.client.customerApiRoot());
  await runWithCtpSession(storage, () =>
    root
      .me()
      .carts()
      .post({ body: { currency: 'EUR' } })
      .execute(),
  );
  return (await storage.get())!;
}

describe('Checkout sessions with Redis', () => {
  it('should create one session for concurrent calls on two instances, and send nothing for later calls on either', async () => {
    const { one, two, checkoutCalls, mock } = fleet();
    const stored = await shopperWithCart(one);
    const call = (services: typeof one) =>
      runWithCtpSession(new MemorySessionStorage('sid', stored), () => services.session.checkoutSession());
    const sessions = await Promise.all([
      ...Array.from({ length: 10 }, () => call(one)),
      ...Array.from({ length: 10 }, () => call(two)),
    ]);
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(1);
    expect(mock.checkoutSessions.size).toBe(1);
    expect(checkoutCalls()).toHaveLength(1);
    await call(two);
    await call(one);
    expect(checkoutCalls()).toHaveLength(1);
    await Promise.all([one.close(), two.close()]);
  });

  it('should refresh once for the fleet inside the renewal margin', async () => {
    const { one, two, checkoutCalls, advance } = fleet();
    const stored = await shopperWithCart(one);
    const call = (services: typeof one) =>
      runWithCtpSession(new MemorySessionStorage('sid', stored), () => services.session.checkoutSession());
    const first = await call(one);
    await call(two);
    advance(56 * MINUTE);
    const [a, b] = await Promise.all([call(one), call(two)]);
    expect([a.sessionId, b.sessionId]).toEqual([first.sessionId, first.sessionId]);
    expect(checkoutCalls().map((r) => r.apiPath)).toEqual(['/sessions', `/sessions/${first.sessionId}`]);
    await Promise.all([one.close(), two.close()]);
  });

  it('should answer CTP_CHECKOUT_UNAVAILABLE when Redis fails, and create its own with fallbackToLocal', async () => {
    const broken: RedisLike = {
      get: () => Promise.reject(new Error('connection lost')),
      eval: () => Promise.reject(new Error('connection lost')),
    };
    const strict = fleet(broken);
    const stored = await shopperWithCart(strict.one);
    const error = await runWithCtpSession(new MemorySessionStorage('sid', stored), () =>
      strict.one.session.checkoutSession(),
    ).catch((e: unknown) => e);
    expect(CtpError.is(error, CtpErrorCode.CheckoutUnavailable)).toBe(true);
    expect(strict.checkoutCalls()).toHaveLength(0);

    const lenient = fleet(broken, true);
    const again = await shopperWithCart(lenient.one);
    const session = await runWithCtpSession(new MemorySessionStorage('sid', again), () =>
      lenient.one.session.checkoutSession(),
    );
    expect(lenient.mock.checkoutSessions.has(session.sessionId)).toBe(true);
    await Promise.all([strict.one.close(), strict.two.close(), lenient.one.close(), lenient.two.close()]);
  });
});
