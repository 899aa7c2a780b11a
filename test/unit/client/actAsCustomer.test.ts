import type { Cart } from '@commercetools/platform-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CART_LOCK_MAX_MS } from '../../../src/client/CustomerService';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpArgumentError } from '../../../src/errors/CtpArgumentError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { withApiCallOptions } from '../../../src/util/apiCallContext';
import { ALICE, API_URL, CLIENT_ID, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';
import { abandonCartLock, shopperWithCart } from '../../support/shopperWithCart';

type Services = ReturnType<typeof createTestServices>;

afterEach(() => {
  vi.useRealTimers();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

/** Reads the cart with a fresh customerService call (no agent attribution needed for a read). */
async function readCart(s: Services, id: string): Promise<Cart> {
  return s.client.actAsCustomer(ALICE.id, { agentId: 'auditor' }, async ({ apiRoot }) => {
    const { body } = await apiRoot.carts().withId({ ID: id }).get().execute();
    return body;
  });
}

describe('ctpClient.actAsCustomer', () => {
  describe('when an agent acts without a lock', () => {
    it('should call on the customerService token with X-External-User-ID on every call, never a customer token', async () => {
      const s = createTestServices();
      const { cart } = await shopperWithCart(s, ALICE);
      const passwordGrants = s.platform.grants('password').length;
      const before = s.platform.calls.length;
      const result = await s.client.actAsCustomer(ALICE.id, { agentId: 'agent-7' }, async ({ apiRoot, customerId }) => {
        expect(customerId).toBe(ALICE.id);
        const { body: active } = await apiRoot.carts().withCustomerId({ customerId }).get().execute();
        return (
          await apiRoot
            .carts()
            .withId({ ID: active.id })
            .post({
              body: { version: active.version, actions: [{ action: 'setCustomerEmail', email: 'help@example.com' }] },
            })
            .execute()
        ).body;
      });
      expect(result.customerEmail).toBe('help@example.com');
      expect(result.lastModifiedBy).toMatchObject({ externalUserId: 'agent-7', clientId: CLIENT_ID });
      const during = s.platform.calls.slice(before);
      const grants = during.filter((c) => c.path === '/oauth/token');
      expect(grants.map((c) => c.form.get('grant_type'))).toEqual(['client_credentials']);
      expect(grants[0]!.form.get('scope')).toBe(s.registry.scopeParameter('customerService'));
      expect(s.registry.scopes('customerService')).toEqual([
        'view_customers:test-project',
        'manage_orders:test-project',
        'manage_locked_carts:test-project',
      ]);
      const apiCalls = during.filter((c) => c.url.startsWith(API_URL));
      expect(apiCalls.map((c) => `${c.method} ${c.path}`)).toEqual([
        `GET /test-project/carts/customer-id=${ALICE.id}`,
        `POST /test-project/carts/${cart.id}`,
      ]);
      for (const call of apiCalls) {
        expect(call.headers['x-external-user-id']).toBe('agent-7');
        expect(call.identity?.kind).toBe('client');
      }
      expect(s.platform.grants('password')).toHaveLength(passwordGrants);
      // The plain builders never carry an agent's id.
      const mark = s.platform.calls.length;
      await (await s.client.integrationApiRoot()).carts().withId({ ID: cart.id }).get().execute();
      expect(s.platform.calls.slice(mark).every((c) => c.headers['x-external-user-id'] === undefined)).toBe(true);
    });

    it.each([
      ['empty', ''],
      ['over 128 characters', 'a'.repeat(129)],
      ['a newline', 'agent\n7'],
      ['a NUL', 'agent\u00007'],
      ['a DEL', 'agent\u007f'],
      ['a C1 control', 'agent\u00857'],
      ['a leading space', ' agent'],
      ['not a string', 42],
      ['missing', undefined],
    ])('should refuse an agentId that is %s before any request', async (_what, agentId) => {
      const s = createTestServices();
      const fn = vi.fn(async () => 'done');
      const error = await rejection(s.client.actAsCustomer(ALICE.id, { agentId } as never, fn));
      expect(error).toBeInstanceOf(CtpArgumentError);
      expect(error).toMatchObject({ code: CtpErrorCode.InvalidArgument, argument: 'agentId' });
      expect(fn).not.toHaveBeenCalled();
      expect(s.platform.calls).toHaveLength(0);
    });

    it('should take an agentId of exactly 128 printable characters', async () => {
      const s = createTestServices();
      const agentId = `${'x'.repeat(60)} ${'y'.repeat(67)}`;
      expect(agentId).toHaveLength(128);
      await s.client.actAsCustomer(ALICE.id, { agentId }, async ({ apiRoot }) => {
        await apiRoot.customers().withId({ ID: ALICE.id }).get().execute();
      });
      const call = s.platform.calls.find((c) => c.url.startsWith(API_URL));
      expect(call?.headers['x-external-user-id']).toBe(agentId);
    });

    const one = async (): Promise<number> => 1;
    it.each<[string, unknown[]]>([
      ['customerId', ['../x', { agentId: 'a' }, one]],
      ['customerId', ['', { agentId: 'a' }, one]],
      ['lockCart', [ALICE.id, { agentId: 'a', lockCart: 'yes' }, one]],
      ['storeKey', [ALICE.id, { agentId: 'a', storeKey: 'a/b' }, one]],
      ['fn', [ALICE.id, { agentId: 'a' }, 'not a function']],
      ['options', [ALICE.id, null, one]],
    ])('should refuse a bad %s before any request', async (argument, args) => {
      const s = createTestServices();
      const act = s.client.actAsCustomer as (...a: unknown[]) => Promise<unknown>;
      expect(await rejection(act(...args))).toMatchObject({ code: CtpErrorCode.InvalidArgument, argument });
      expect(s.platform.calls).toHaveLength(0);
    });

    it('should log the agent and customer at the start and end, and no token', async () => {
      const s = createTestServices();
      await s.client.actAsCustomer(ALICE.id, { agentId: 'agent-7' }, async ({ apiRoot }) => {
        await apiRoot.customers().withId({ ID: ALICE.id }).get().execute();
      });
      const failure = new Error('the agent gave up');
      await rejection(
        s.client.actAsCustomer(ALICE.id, { agentId: 'agent-8' }, async () => {
          throw failure;
        }),
      );
      expect(s.logger.events('ctp.act_as_customer.start')).toEqual([
        expect.objectContaining({ agentId: 'agent-7', customerId: ALICE.id, lockCart: false }),
        expect.objectContaining({ agentId: 'agent-8', customerId: ALICE.id, lockCart: false }),
      ]);
      expect(s.logger.events('ctp.act_as_customer.end')).toEqual([
        expect.objectContaining({ agentId: 'agent-7', customerId: ALICE.id, outcome: 'ok' }),
        expect.objectContaining({ agentId: 'agent-8', customerId: ALICE.id, outcome: 'failed', code: 'callback' }),
      ]);
      const text = s.logger.text();
      expect(s.platform.mock.issuedTokens.length).toBeGreaterThan(0);
      for (const token of s.platform.mock.issuedTokens) expect(text).not.toContain(token);
    });
  });

  describe('when an agent locks the active cart', () => {
    it("should hand the locked cart to the callback, refuse the shopper's update with CTP_CART_LOCKED, and unlock after", async () => {
      const s = createTestServices();
      const { cart, update } = await shopperWithCart(s, ALICE);
      let shopperError: unknown;
      const edited = await s.client.actAsCustomer(
        ALICE.id,
        { agentId: 'agent-7', lockCart: true },
        async ({ apiRoot, cart: locked }) => {
          expect(locked.id).toBe(cart.id);
          expect(locked.lock).toMatchObject({ clientId: CLIENT_ID });
          shopperError = await rejection(update('shopper@example.com'));
          // The agent's token holds manage_locked_carts: its updates go through.
          return (
            await apiRoot
              .carts()
              .withId({ ID: locked.id })
              .post({
                body: {
                  version: locked.version,
                  actions: [{ action: 'setCustomerEmail', email: 'agent@example.com' }],
                },
              })
              .execute()
          ).body;
        },
      );
      expect(shopperError).toBeInstanceOf(CtpApiError);
      expect(shopperError).toMatchObject({ code: CtpErrorCode.CartLocked, status: 409 });
      expect((shopperError as CtpApiError).message).not.toContain(cart.id);
      expect(edited.customerEmail).toBe('agent@example.com');
      // Unlocked on the version the callback left (a stale version would have been a 409).
      expect((await readCart(s, cart.id)).lock).toBeUndefined();
      expect((await update('shopper@example.com')).customerEmail).toBe('shopper@example.com');
      const unlock = s.platform.calls.filter((c) => c.body.includes('"unlockCart"'));
      expect(unlock).toHaveLength(1);
      expect(unlock[0]!.headers['x-external-user-id']).toBe('agent-7');
      expect(s.logger.events('ctp.cart_lock.unlocked')).toEqual([
        expect.objectContaining({ agentId: 'agent-7', customerId: ALICE.id, cartId: cart.id }),
      ]);
    });

    it("should keep the original error of a shopper's refused update when the cart is not locked", async () => {
      const s = createTestServices();
      const { cart, storage } = await shopperWithCart(s, ALICE);
      const error = await rejection(
        runWithCtpSession(storage, async () =>
          (await s.client.customerApiRoot())
            .me()
            .carts()
            .withId({ ID: cart.id })
            .post({ body: { version: cart.version, actions: [{ action: 'setCountry', country: 42 as never }] } })
            .execute(),
        ),
      );
      expect(error).toMatchObject({ code: CtpErrorCode.ApiBadRequest, status: 400 });
      // It was read back to be sure, with the shopper's own token.
      const readBack = s.platform.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/me/carts/${cart.id}`));
      expect(readBack).toHaveLength(1);
      expect(readBack[0]!.identity?.customerId).toBe(ALICE.id);
    });

    it("should rethrow the callback's error unchanged and unlock the cart", async () => {
      const s = createTestServices();
      const { cart, update } = await shopperWithCart(s, ALICE);
      const failure = new TypeError('the agent broke something');
      const error = await rejection(
        s.client.actAsCustomer(ALICE.id, { agentId: 'agent-7', lockCart: true }, async ({ apiRoot, cart: locked }) => {
          // The callback moves the version on first: the unlock must read it again.
          await apiRoot
            .carts()
            .withId({ ID: locked.id })
            .post({ body: { version: locked.version, actions: [{ action: 'setCountry', country: 'DE' }] } })
            .execute();
          throw failure;
        }),
      );
      expect(error).toBe(failure);
      expect((await readCart(s, cart.id)).lock).toBeUndefined();
      expect((await update('back@example.com')).customerEmail).toBe('back@example.com');
    });

    it('should retry the unlock on 409 with the version read again', async () => {
      const s = createTestServices();
      const { cart } = await shopperWithCart(s, ALICE);
      let conflicts = 0;
      s.platform.on((call) => {
        if (call.method !== 'POST' || !call.body.includes('"unlockCart"') || conflicts > 0) return undefined;
        conflicts += 1;
        const error = { code: 'ConcurrentModification', message: 'Version mismatch.', currentVersion: 99 };
        return json({ statusCode: 409, message: error.message, errors: [error] }, 409);
      });
      await s.client.actAsCustomer(ALICE.id, { agentId: 'agent-7', lockCart: true }, async () => 'ok');
      expect(conflicts).toBe(1);
      expect(s.platform.calls.filter((c) => c.body.includes('"unlockCart"'))).toHaveLength(2);
      expect((await readCart(s, cart.id)).lock).toBeUndefined();
    });

    it('should unlock at the call context deadline and reject with CTP_CART_LOCK_TIMEOUT', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const s = createTestServices();
      const { cart, update } = await shopperWithCart(s, ALICE);
      const started = vi.fn();
      const pending = rejection(
        withApiCallOptions({ timeoutMs: 2_000 }, () =>
          s.client.actAsCustomer(ALICE.id, { agentId: 'agent-7', lockCart: true }, async () => {
            started();
            return new Promise<never>(() => undefined);
          }),
        ),
      );
      await vi.advanceTimersByTimeAsync(1_999);
      expect(started).toHaveBeenCalledOnce();
      expect(s.platform.calls.some((c) => c.body.includes('"unlockCart"'))).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toMatchObject({ code: CtpErrorCode.CartLockTimeout });
      expect((await readCart(s, cart.id)).lock).toBeUndefined();
      expect((await update('after@example.com')).customerEmail).toBe('after@example.com');
    });

    it(`should hold a lock at most CART_LOCK_MAX_MS (${CART_LOCK_MAX_MS} ms) without a call deadline`, async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const s = createTestServices();
      const { cart } = await shopperWithCart(s, ALICE);
      let late: unknown;
      const pending = rejection(
        s.client.actAsCustomer(ALICE.id, { agentId: 'agent-7', lockCart: true }, async ({ apiRoot }) => {
          await new Promise((resolve) => setTimeout(resolve, CART_LOCK_MAX_MS + 1_000));
          // Its calls after the bound fail too: nothing it does lands on an unlocked cart.
          late = await rejection(apiRoot.carts().withId({ ID: cart.id }).get().execute());
        }),
      );
      await vi.advanceTimersByTimeAsync(CART_LOCK_MAX_MS - 1);
      expect(s.platform.calls.some((c) => c.body.includes('"unlockCart"'))).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toMatchObject({ code: CtpErrorCode.CartLockTimeout, status: 504 });
      expect((await readCart(s, cart.id)).lock).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(late).toMatchObject({ code: CtpErrorCode.ApiTimeout });
    });

    it('should answer CTP_CART_NOT_FOUND when the customer has no active cart, without calling back', async () => {
      const s = createTestServices();
      const fn = vi.fn(async () => 1);
      expect(await rejection(s.client.actAsCustomer(ALICE.id, { agentId: 'a', lockCart: true }, fn))).toMatchObject({
        code: CtpErrorCode.CartNotFound,
        status: 404,
      });
      expect(fn).not.toHaveBeenCalled();
    });
  });

  describe('when a crashed process left a lock behind', () => {
    it('should refuse a fresh lock with CTP_CART_LOCKED, and take over one older than the bound', async () => {
      const s = createTestServices();
      const { cart, update } = await shopperWithCart(s, ALICE);
      await abandonCartLock(s.client, ALICE.id, cart.id);
      expect(await rejection(update('blocked@example.com'))).toMatchObject({ code: CtpErrorCode.CartLocked });
      const fn = vi.fn(async () => 1);
      expect(await rejection(s.client.actAsCustomer(ALICE.id, { agentId: 'a', lockCart: true }, fn))).toMatchObject({
        code: CtpErrorCode.CartLocked,
      });
      expect(fn).not.toHaveBeenCalled();
      s.clock.advance(CART_LOCK_MAX_MS + 61_000);
      const lockedAt = await s.client.actAsCustomer(ALICE.id, { agentId: 'a', lockCart: true }, async ({ cart: c }) =>
        Date.parse(c.lock!.createdAt),
      );
      expect(lockedAt).toBe(s.clock.now());
      expect(s.logger.events('ctp.cart_lock.stale')).toEqual([expect.objectContaining({ cartId: cart.id })]);
      expect((await readCart(s, cart.id)).lock).toBeUndefined();
      expect((await update('free@example.com')).customerEmail).toBe('free@example.com');
    });

    it('should release any lock with releaseCartLock, and say when there was none', async () => {
      const s = createTestServices();
      const { cart, update } = await shopperWithCart(s, ALICE);
      await abandonCartLock(s.client, ALICE.id, cart.id);
      expect(await s.client.releaseCartLock(cart.id, { agentId: 'supervisor-1' })).toEqual({ released: true });
      expect(await s.client.releaseCartLock(cart.id, { agentId: 'supervisor-1' })).toEqual({ released: false });
      expect((await update('free@example.com')).customerEmail).toBe('free@example.com');
      const unlock = s.platform.calls.filter((c) => c.body.includes('"unlockCart"'));
      expect(unlock.map((c) => c.headers['x-external-user-id'])).toEqual(['supervisor-1']);
      expect(s.logger.events('ctp.cart_lock.release')).toHaveLength(2);
      expect(await rejection(s.client.releaseCartLock(cart.id, { agentId: 'x\n' }))).toMatchObject({
        argument: 'agentId',
      });
    });
  });
});
