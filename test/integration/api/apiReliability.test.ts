import { setImmediate as tick } from 'node:timers/promises';
import type { LineItem } from '@commercetools/platform-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { API_ENGINE_NAMES } from '../../../src/client/ApiEngine';
import { withApiCallOptions } from '../../../src/util/apiCallContext';
import { retryOnConflict } from '../../../src/client/retryOnConflict';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createStrictHarness, type StrictHarness } from '../../support/strict/createStrictHarness';

// Real HTTP to the strict server on 127.0.0.1 with API faults; backoff waits are recorded, not
// slept; only the deadline tests fake Date and setTimeout (the deadline's timer).
let h: StrictHarness | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await h?.close();
  await h?.stop();
  h = undefined;
});

async function until(done: () => boolean, what: string, turns = 5_000): Promise<void> {
  for (let i = 0; i < turns; i += 1) {
    if (done()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** How many carts the project holds, as the backend (the integration token) reads them. */
async function cartsInProject(harness: StrictHarness): Promise<number> {
  const backend = await harness.client.integrationApiRoot();
  return (await backend.carts().get().execute()).body.total ?? 0;
}

/** Another writer (the backend, with its own token) changes the cart: its version moves on. */
async function anotherWriter(harness: StrictHarness, cartId: string): Promise<void> {
  const backend = await harness.client.integrationApiRoot();
  const { body: cart } = await backend.carts().withId({ ID: cartId }).get().execute();
  await backend
    .carts()
    .withId({ ID: cartId })
    .post({ body: { version: cart.version, actions: [{ action: 'setCustomerEmail', email: 'other@example.com' }] } })
    .execute();
}

async function rejection(promise: Promise<unknown>): Promise<CtpApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CtpApiError);
  return error as CtpApiError;
}

describe.each(API_ENGINE_NAMES)('API calls over real HTTP on the %s engine', (engine) => {
  describe('when the API answers 503, 502, 504 in sequence', () => {
    it('should resend a GET with the same correlation ID until it answers, within the retry budget', async () => {
      h = await createStrictHarness({ api: { engine, retry: { maxRetries: 3 } } });
      h.server.failApiRequests(
        { kind: 'status', status: 503 },
        { kind: 'page', status: 502 },
        { kind: 'status', status: 504 },
      );
      const apiRoot = await h.client.integrationApiRoot();
      const { body } = await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(body.id).toBe('c1');
      expect(h.server.apiFaultsApplied).toHaveLength(3);
      expect(h.sleeps).toHaveLength(3);
      const [call] = h.server.apiCalls;
      expect(call?.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(h.server.apiCorrelationIds).toEqual(Array(4).fill(call?.correlationId));
      expect(call?.userAgent).toMatch(/^ctp-client\/\d+\.\d+\.\d+ node\/\d+\.\d+\.\d+$/);
    });

    it('should give up after the default 2 retries with CTP_API_UNAVAILABLE and retries 2', async () => {
      h = await createStrictHarness({ api: { engine } });
      h.server.failApiRequests(
        { kind: 'status', status: 503 },
        { kind: 'status', status: 502 },
        { kind: 'status', status: 504 },
        { kind: 'status', status: 503 },
      );
      const apiRoot = await h.client.integrationApiRoot();
      const error = await rejection(apiRoot.categories().withId({ ID: 'c1' }).get().execute());
      expect(error).toMatchObject({
        code: CtpErrorCode.ApiUnavailable,
        status: 504,
        retries: 2,
        method: 'GET',
        uriTemplate: '/{projectKey}/categories/{ID}',
      });
      expect(h.server.apiFaultsApplied).toHaveLength(3);
    });
  });

  describe('when the connection is reset', () => {
    it('should resend a GET, and never a cart creation', async () => {
      h = await createStrictHarness({ api: { engine } });
      const harness = h;
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        const apiRoot = await harness.client.customerApiRoot();
        harness.server.failApiRequests({ kind: 'reset' });
        const created = await apiRoot
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute()
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(created).toMatchObject({
          code: CtpErrorCode.ApiNetwork,
          status: 502,
          retries: 0,
          method: 'POST',
          uriTemplate: '/{projectKey}/me/carts',
        });
        expect(await cartsInProject(harness)).toBe(0);
        const cart = await apiRoot
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        harness.server.failApiRequests({ kind: 'reset' }, { kind: 'reset' });
        const { body } = await apiRoot.me().carts().withId({ ID: cart.body.id }).get().execute();
        expect(body.id).toBe(cart.body.id);
        expect(await cartsInProject(harness)).toBe(1);
      });
    });
  });

  describe('when the API hangs', () => {
    it("should fail at the call's own timeout with CTP_API_TIMEOUT and release the socket", async () => {
      h = await createStrictHarness({ api: { engine } });
      const apiRoot = await h.client.integrationApiRoot();
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      const server = h.server;
      server.hangApiRequests(1);
      const pending = withApiCallOptions({ timeoutMs: 2_000 }, () =>
        apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      await until(() => server.hungApiRequests === 1, 'the hung request');
      vi.advanceTimersByTime(2_250);
      expect(await pending).toMatchObject({ code: CtpErrorCode.ApiTimeout, status: 504 });
      await until(
        () => server.hungApiRequests === 0 && server.openConnections().busy === 0,
        'the hung connection to close',
      );
    });

    it("should cancel through the caller's AbortSignal with CTP_API_CANCELLED and release the socket", async () => {
      h = await createStrictHarness({ api: { engine } });
      const apiRoot = await h.client.integrationApiRoot();
      const server = h.server;
      server.hangApiRequests(1);
      const controller = new AbortController();
      const pending = withApiCallOptions({ signal: controller.signal }, () =>
        apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      await until(() => server.hungApiRequests === 1, 'the hung request');
      controller.abort();
      expect(await pending).toMatchObject({ code: CtpErrorCode.ApiCancelled, status: 499, retries: 0 });
      await until(
        () => server.hungApiRequests === 0 && server.openConnections().busy === 0,
        'the cancelled connection to close',
      );
      // The API still answers on what is left.
      const { body } = await apiRoot.categories().withId({ ID: 'c2' }).get().execute();
      expect(body.id).toBe('c2');
    });
  });

  describe('when another writer changes the cart (409)', () => {
    it('should reject the stale update with CTP_API_CONFLICT, and retryOnConflict should re-read and apply it once', async () => {
      h = await createStrictHarness({ api: { engine } });
      const harness = h;
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        const apiRoot = await harness.client.customerApiRoot();
        const { body: cart } = await apiRoot
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        await anotherWriter(harness, cart.id);
        const stale = await rejection(
          apiRoot
            .me()
            .carts()
            .withId({ ID: cart.id })
            .post({ body: { version: cart.version, actions: [{ action: 'addLineItem', sku: 'A' }] } })
            .execute(),
        );
        expect(stale).toMatchObject({
          code: CtpErrorCode.ApiConflict,
          status: 409,
          apiCodes: ['ConcurrentModification'],
          retries: 0,
        });
        let runs = 0;
        const updated = await retryOnConflict(async () => {
          runs += 1;
          const { body: current } = await apiRoot.me().carts().withId({ ID: cart.id }).get().execute();
          // The first run loses a race against another writer.
          if (runs === 1) await anotherWriter(harness, cart.id);
          return (
            await apiRoot
              .me()
              .carts()
              .withId({ ID: cart.id })
              .post({ body: { version: current.version, actions: [{ action: 'addLineItem', sku: 'B' }] } })
              .execute()
          ).body;
        });
        expect(runs).toBe(2);
        expect(updated.lineItems).toHaveLength(1);
        const lineItems = harness.server.cart(cart.id)?.['lineItems'] as LineItem[];
        expect(lineItems.map((l) => l.variant.sku)).toEqual(['B']);
        // A DELETE with a stale version is refused, and nothing re-sends it.
        const removal = await rejection(
          apiRoot
            .me()
            .carts()
            .withId({ ID: cart.id })
            .delete({ queryArgs: { version: cart.version } })
            .execute(),
        );
        expect(removal).toMatchObject({ code: CtpErrorCode.ApiConflict, method: 'DELETE', retries: 0 });
        expect(harness.server.cart(cart.id)).toMatchObject({ id: cart.id, version: updated.version });
      });
    });
  });
});
