import { afterEach, describe, expect, it, vi } from 'vitest';
import { API_ENGINE_NAMES } from '../../../src/client/ApiEngine';
import { readAnswer } from '../../../src/client/readAnswer';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { withApiCallOptions } from '../../../src/util/apiCallContext';
import { timerSleep } from '../../../src/util/sleep';
import { API_URL, AUTH_URL, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

afterEach(() => {
  vi.useRealTimers();
});

/** What `promise` settled with after `turns` event-loop turns, or 'pending'. */
async function after(promise: Promise<unknown>, turns = 50): Promise<unknown> {
  let settled: unknown = 'pending';
  void promise.then(
    (value) => (settled = value),
    (error: unknown) => (settled = error),
  );
  for (let i = 0; i < turns && settled === 'pending'; i += 1) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('readAnswer', () => {
  it('should reject with the reason and cancel the body when the signal aborted before the read began', async () => {
    let cancelled = false;
    // A body whose first chunk never comes: only the signal can end the read.
    const body = new ReadableStream<Uint8Array>({
      pull: () => new Promise<void>(() => undefined),
      cancel: () => void (cancelled = true),
    });
    const reason = new Error('the caller went away');
    expect(await after(readAnswer(new Response(body), 4096, AbortSignal.abort(reason)))).toBe(reason);
    expect(cancelled).toBe(true);
  });
});

describe.each(API_ENGINE_NAMES)('API calls on the %s engine', (engine) => {
  describe('a backoff wait on the default timer sleep', () => {
    function busy() {
      const services = createTestServices({ sleep: timerSleep, api: { engine } });
      services.platform.on((call) =>
        call.url.startsWith(API_URL) ? json({ statusCode: 503, message: 'busy' }, 503) : undefined,
      );
      return services;
    }

    it.each(['close()', "the caller's signal"])(
      'should end, its timer cleared, on %s with CTP_API_CANCELLED',
      async (how) => {
        const services = busy();
        const { client, logger } = services;
        const apiRoot = await client.integrationApiRoot();
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
        const timersBefore = vi.getTimerCount();
        const controller = new AbortController();
        const pending = withApiCallOptions({ signal: controller.signal }, () =>
          apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
        ).catch((e: unknown) => e);
        // The retry is logged just before the wait starts.
        while (logger.events('ctp.api.retry').length === 0) await Promise.resolve();
        await Promise.resolve();
        expect(vi.getTimerCount()).toBe(timersBefore + 1);
        if (how === 'close()') await services.close();
        else controller.abort(new Error('client went away'));
        expect(await pending).toMatchObject({ code: CtpErrorCode.ApiCancelled, status: 499, retries: 1 });
        expect(vi.getTimerCount()).toBe(timersBefore);
      },
    );
  });

  describe('the 401 recovery', () => {
    it("should end at the call's deadline with CTP_API_TIMEOUT when the token source hangs", async () => {
      let grants = 0;
      const { platform, client } = createTestServices({ api: { engine }, authTimeoutMs: 60_000 });
      platform.on((call) => {
        if (call.url.startsWith(API_URL))
          return json({ statusCode: 401, message: 'invalid_token', error: 'invalid_token' }, 401);
        // The renewal's grant never answers (within the 60 s auth timeout).
        if (call.url.startsWith(AUTH_URL) && (grants += 1) > 1) return new Promise<Response>(() => undefined);
        return undefined;
      });
      const apiRoot = await client.integrationApiRoot();
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const pending = withApiCallOptions({ timeoutMs: 1_500 }, () =>
        apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
      ).catch((e: unknown) => e);
      while (grants < 2) await Promise.resolve();
      await vi.advanceTimersByTimeAsync(1_600);
      expect(await after(pending)).toMatchObject({ code: CtpErrorCode.ApiTimeout, status: 504 });
    });

    it('should end on close() with CTP_API_CANCELLED when the token source hangs', async () => {
      let grants = 0;
      const services = createTestServices({ api: { engine }, authTimeoutMs: 60_000 });
      const { platform, client } = services;
      platform.on((call) => {
        if (call.url.startsWith(API_URL))
          return json({ statusCode: 401, message: 'invalid_token', error: 'invalid_token' }, 401);
        if (call.url.startsWith(AUTH_URL) && (grants += 1) > 1) return new Promise<Response>(() => undefined);
        return undefined;
      });
      const apiRoot = await client.integrationApiRoot();
      const pending = apiRoot
        .categories()
        .withId({ ID: 'c1' })
        .get()
        .execute()
        .catch((e: unknown) => e);
      while (grants < 2) await new Promise((resolve) => setImmediate(resolve));
      await services.close();
      expect(await after(pending)).toMatchObject({ code: CtpErrorCode.ApiCancelled, status: 499 });
    });
  });
});
