import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Middleware } from '@commercetools/sdk-client-v2';
import { API_ENGINE_NAMES, type ApiEngineName } from '../../../src/client/ApiEngine';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { CtpModuleOptions } from '../../../src/module/CtpModuleOptions';
import { runWithCorrelationId, withApiCallOptions } from '../../../src/util/apiCallContext';
import { API_URL, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

// What apiFetch does with each kind of answer, and what it tells of its resends and recoveries.
const CAP = 4096;

function setup(engine: ApiEngineName, answer: () => Response | Promise<Response>, options: CtpModuleOptions = {}) {
  const sleeps: number[] = [];
  const services = createTestServices({
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...options,
    api: { engine, maxAnswerBytes: CAP, ...options.api },
  });
  services.platform.on((call) => (call.url.startsWith(API_URL) ? answer() : undefined));
  const apiCalls = () => services.platform.calls.filter((c) => c.url.startsWith(API_URL));
  return { ...services, sleeps, apiCalls };
}

/** `size` bytes of spaces, 1 KiB a chunk, as undici hands on an inflated body. */
function spaces(size: number): ReadableStream<Uint8Array> {
  let left = size;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      const n = Math.min(1024, left);
      left -= n;
      controller.enqueue(new Uint8Array(n).fill(0x20));
    },
  });
}

const invalidToken = () => json({ statusCode: 401, message: 'invalid_token', error: 'invalid_token' }, 401);

afterEach(() => {
  vi.useRealTimers();
});

describe.each(API_ENGINE_NAMES)('apiFetch on the %s engine', (engine) => {
  describe('the answer cap', () => {
    it('should count a compressed answer whose Content-Length (of the compressed bytes) is under the cap', async () => {
      // As undici hands it on: the inflated body, the header of the bytes on the wire.
      const { client } = setup(
        engine,
        () =>
          new Response(spaces(CAP * 4), {
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '100' },
          }),
      );
      const apiRoot = await client.integrationApiRoot();
      await expect(apiRoot.categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({
        code: CtpErrorCode.ApiAnswerTooLarge,
      });
    });

    it('should hand on a plain answer of exactly the cap', async () => {
      const text = JSON.stringify({ id: 'c1', pad: 'x'.repeat(CAP - 20) });
      const padded = text + ' '.repeat(CAP - Buffer.byteLength(text));
      const { client } = setup(
        engine,
        () => new Response(padded, { headers: { 'content-type': 'application/json', 'content-length': String(CAP) } }),
      );
      const apiRoot = await client.integrationApiRoot();
      const answer = await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(answer.body.id).toBe('c1');
    });

    it("should count an answer whose Content-Length claims less than its body (an app's fetch need not end the body there)", async () => {
      const { client } = setup(
        engine,
        () =>
          new Response(spaces(CAP * 4), {
            headers: { 'content-type': 'application/json', 'content-length': '10' },
          }),
      );
      const apiRoot = await client.integrationApiRoot();
      await expect(apiRoot.categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({
        code: CtpErrorCode.ApiAnswerTooLarge,
      });
    });

    it('should count a plain answer whose Content-Length is not a plain number', async () => {
      const { client } = setup(
        engine,
        () =>
          new Response(spaces(CAP * 4), {
            headers: { 'content-type': 'application/json', 'content-length': '1e2' },
          }),
      );
      const apiRoot = await client.integrationApiRoot();
      await expect(apiRoot.categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({
        code: CtpErrorCode.ApiAnswerTooLarge,
      });
    });

    it('should hand on a read answer without the headers of the bytes on the wire', async () => {
      const { client } = setup(
        engine,
        () =>
          new Response(JSON.stringify({ id: 'c1' }), {
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '9' },
          }),
      );
      const apiRoot = await client.integrationApiRoot();
      const answer = await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(answer.body.id).toBe('c1');
      expect(answer.headers?.['content-encoding']).toBeUndefined();
      expect(answer.headers?.['content-length']).toBeUndefined();
      expect(answer.headers?.['content-type']).toBe('application/json');
    });

    it('should hand on a 204 answer with no body, as the engine reads one', async () => {
      const { client, apiCalls } = setup(engine, () => new Response(null, { status: 204 }));
      const apiRoot = await client.integrationApiRoot();
      const outcome = await apiRoot
        .categories()
        .withId({ ID: 'c1' })
        .get()
        .execute()
        .catch((e: unknown) => e);
      // sdk-client-v2 reads an empty body as {}; ts-client 4 fails to parse it as JSON.
      if (engine === 'sdk-client-v2') expect(outcome).toMatchObject({ statusCode: 204 });
      else expect(outcome).toMatchObject({ code: CtpErrorCode.ApiFailed, status: 502, retries: 0 });
      expect(apiCalls()).toHaveLength(1);
    });
  });

  describe('the 401 recovery', () => {
    it('should not renew on a 401 naming another error, and fail with CTP_API_UNAUTHORIZED', async () => {
      const { client, platform, apiCalls } = setup(engine, () =>
        json({ statusCode: 401, message: 'no', errors: [{ code: 'insufficient_scope' }] }, 401),
      );
      const apiRoot = await client.integrationApiRoot();
      await expect(apiRoot.categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({
        code: CtpErrorCode.ApiUnauthorized,
      });
      expect(apiCalls()).toHaveLength(1);
      expect(platform.grants('client_credentials')).toHaveLength(1);
    });

    it('should renew on a 401 whose body is not JSON, names no error, or names invalid_token in errors[]', async () => {
      const answers = [
        () => new Response('<html>401</html>', { status: 401 }),
        () => json({ statusCode: 401, message: 'x', errors: [{ code: 'invalid_token' }] }, 401),
        () => json({}, 401),
        () => json({ errors: [] }, 401),
      ];
      for (const refusal of answers) {
        let refused = false;
        const { client, platform, apiCalls, logger } = setup(engine, () =>
          refused ? json({ id: 'c1', version: 1 }) : ((refused = true), refusal()),
        );
        const apiRoot = await client.integrationApiRoot();
        const answer = await runWithCorrelationId('req-0000000001', () =>
          apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
        );
        expect(answer.body.id).toBe('c1');
        expect(apiCalls()).toHaveLength(2);
        expect(apiCalls()[1]!.headers['authorization']).not.toBe(apiCalls()[0]!.headers['authorization']);
        expect(platform.grants('client_credentials')).toHaveLength(2);
        expect(logger.events('ctp.api.invalid_token')).toEqual([
          { event: 'ctp.api.invalid_token', owner: 'integration', correlationId: 'req-0000000001' },
        ]);
      }
    });

    it('should renew once per call: a second 401 is the answer', async () => {
      const { client, apiCalls } = setup(engine, invalidToken);
      const apiRoot = await client.integrationApiRoot();
      await expect(apiRoot.categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({
        code: CtpErrorCode.ApiUnauthorized,
        retries: 0,
      });
      // One recovery, then the second 401 is the answer.
      expect(apiCalls()).toHaveLength(2);
    });
  });

  describe('resends', () => {
    it('should log each resend with what it resends and why', async () => {
      const statuses = [503, 502];
      const { client, logger, sleeps } = setup(engine, () => {
        const status = statuses.shift();
        return status === undefined ? json({ id: 'c1', version: 1 }) : json({ message: 'busy' }, status);
      });
      const apiRoot = await client.integrationApiRoot();
      await runWithCorrelationId('req-0000000002', () => apiRoot.categories().withId({ ID: 'c1' }).get().execute());
      expect(logger.events('ctp.api.retry')).toEqual([
        {
          event: 'ctp.api.retry',
          method: 'GET',
          uriTemplate: '/{projectKey}/categories/{ID}',
          status: 503,
          failure: undefined,
          retries: 1,
          delayMs: sleeps[0],
          correlationId: 'req-0000000002',
        },
        expect.objectContaining({ status: 502, retries: 2, delayMs: sleeps[1] }),
      ]);
    });

    it('should resend a GET that timed out, never a POST', async () => {
      for (const method of ['GET', 'POST'] as const) {
        const { client, apiCalls } = setup(engine, () => new Promise<Response>(() => undefined), {
          apiTimeoutMs: 1_000,
          api: { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } },
        });
        const apiRoot = await client.integrationApiRoot();
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
        const call =
          method === 'GET'
            ? apiRoot.categories().withId({ ID: 'c1' }).get().execute()
            : apiRoot
                .carts()
                .post({ body: { currency: 'EUR' } })
                .execute();
        const pending = call.catch((e: unknown) => e);
        await vi.advanceTimersByTimeAsync(1_100);
        await vi.advanceTimersByTimeAsync(1_100);
        const attempts = apiCalls().length;
        expect(await pending).toMatchObject({ code: CtpErrorCode.ApiTimeout });
        expect(attempts).toBe(method === 'GET' ? 2 : 1);
        vi.useRealTimers();
      }
    });

    it('should stop after maxRetries resends', async () => {
      const { client, apiCalls } = setup(engine, () => json({ message: 'busy' }, 503), {
        api: { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1_000 } },
      });
      const apiRoot = await client.integrationApiRoot();
      await expect(apiRoot.categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({
        retries: 1,
      });
      expect(apiCalls()).toHaveLength(2);
    });

    it("should not start a resend whose wait would end past the call's deadline", async () => {
      const { client, apiCalls, sleeps } = setup(engine, () => json({ message: 'busy' }, 503, { 'retry-after': '2' }), {
        api: { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5_000 } },
      });
      const apiRoot = await client.integrationApiRoot();
      await expect(
        withApiCallOptions({ timeoutMs: 1_500 }, () => apiRoot.categories().withId({ ID: 'c1' }).get().execute()),
      ).rejects.toMatchObject({ code: CtpErrorCode.ApiUnavailable, retries: 0 });
      expect(sleeps).toEqual([]);
      expect(apiCalls()).toHaveLength(1);
    });

    it('should wait a Retry-After of exactly the cap', async () => {
      let busy = true;
      const { client, sleeps } = setup(
        engine,
        () => (busy ? ((busy = false), json({ message: 'busy' }, 503, { 'retry-after': '1' })) : json({ id: 'c1' })),
        { api: { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1_000 } } },
      );
      const apiRoot = await client.integrationApiRoot();
      await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(sleeps).toEqual([1_000]);
    });

    it("should not wait when the wait would end exactly at the call's deadline", async () => {
      const { client, sleeps } = setup(engine, () => json({ message: 'busy' }, 503, { 'retry-after': '2' }), {
        api: { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5_000 } },
      });
      const apiRoot = await client.integrationApiRoot();
      vi.useFakeTimers({ toFake: ['Date'] });
      await expect(
        withApiCallOptions({ timeoutMs: 2_000 }, () => apiRoot.categories().withId({ ID: 'c1' }).get().execute()),
      ).rejects.toMatchObject({ code: CtpErrorCode.ApiUnavailable, retries: 0 });
      expect(sleeps).toEqual([]);
    });

    it("should not send an attempt once the call's deadline has passed, with CTP_API_TIMEOUT", async () => {
      const { client, apiCalls } = setup(engine, () => json({ id: 'c1' }));
      const apiRoot = await client.integrationApiRoot();
      vi.useFakeTimers({ toFake: ['Date'] });
      await expect(
        withApiCallOptions({ timeoutMs: 1_000 }, () => {
          vi.setSystemTime(Date.now() + 1_000);
          return apiRoot.categories().withId({ ID: 'c1' }).get().execute();
        }),
      ).rejects.toMatchObject({ code: CtpErrorCode.ApiTimeout, status: 504 });
      expect(apiCalls()).toHaveLength(0);
    });

    it('should not send the resend when the caller aborts during the wait, with CTP_API_CANCELLED', async () => {
      const controller = new AbortController();
      const { client, apiCalls } = setup(engine, () => json({ message: 'busy' }, 503), {
        // An injected sleep that ignores its signal: the caller aborts while it waits, then it ends.
        sleep: () => {
          controller.abort(new Error('client went away'));
          return Promise.resolve();
        },
      });
      const apiRoot = await client.integrationApiRoot();
      await expect(
        withApiCallOptions({ signal: controller.signal }, () =>
          apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
        ),
      ).rejects.toMatchObject({ code: CtpErrorCode.ApiCancelled, status: 499, retries: 1 });
      expect(apiCalls()).toHaveLength(1);
    });

    it('should not send, nor count a resend, with a signal aborted before the call', async () => {
      const { client, apiCalls } = setup(engine, () => json({ id: 'c1' }));
      const apiRoot = await client.integrationApiRoot();
      await expect(
        withApiCallOptions({ signal: AbortSignal.abort(new Error('gone')) }, () =>
          apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
        ),
      ).rejects.toMatchObject({ code: CtpErrorCode.ApiCancelled, status: 499, retries: 0 });
      expect(apiCalls()).toHaveLength(0);
    });

    it("should resend within the call's deadline", async () => {
      let busy = true;
      const { client, apiCalls } = setup(engine, () =>
        busy ? ((busy = false), json({ message: 'busy' }, 503)) : json({ id: 'c1' }),
      );
      const apiRoot = await client.integrationApiRoot();
      const { body } = await withApiCallOptions({ timeoutMs: 10_000 }, () =>
        apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
      );
      expect(body.id).toBe('c1');
      expect(apiCalls()).toHaveLength(2);
    });

    it('should report the answer of a resend, not the failure of the attempt before it', async () => {
      let reset = true;
      const { client, apiCalls } = setup(engine, () => {
        if (!reset) return json({ statusCode: 404, message: 'x', errors: [{ code: 'ResourceNotFound' }] }, 404);
        reset = false;
        return Promise.reject(
          new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }),
        );
      });
      const apiRoot = await client.integrationApiRoot();
      await expect(apiRoot.categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({
        code: CtpErrorCode.ApiNotFound,
        status: 404,
        retries: 1,
      });
      expect(apiCalls()).toHaveLength(2);
    });
  });

  describe('a request whose call an app middleware hid (it rebuilt the headers)', () => {
    it('should still be sent once, within the cap, with no resend', async () => {
      // Keeps only Authorization: the call's tag header is gone, so the fetch cannot tell whose call it is.
      const strip: Middleware = (next) => (request, response) => {
        const headers = request.headers as Record<string, string>;
        return next({ ...request, headers: { Authorization: headers['Authorization']! } }, response);
      };
      const { client, apiCalls } = setup(engine, () => json({ message: 'busy' }, 503), {
        api: { middlewares: [strip] },
      });
      const apiRoot = await client.integrationApiRoot();
      await expect(apiRoot.categories().withId({ ID: 'c1' }).get().execute()).rejects.toMatchObject({ status: 503 });
      expect(apiCalls()).toHaveLength(1);
      expect(apiCalls()[0]!.headers['x-ctp-client-call']).toBeUndefined();
    });

    it('should read its success within the cap, Content-Length stated or not', async () => {
      const strip: Middleware = (next) => (request, response) => {
        const headers = request.headers as Record<string, string>;
        return next({ ...request, headers: { Authorization: headers['Authorization']! } }, response);
      };
      const { client } = setup(
        engine,
        () => new Response('{"id":"c1"}', { headers: { 'content-type': 'application/json', 'content-length': '11' } }),
        { api: { middlewares: [strip] } },
      );
      const apiRoot = await client.integrationApiRoot();
      const { body } = await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(body.id).toBe('c1');
    });
  });
});
