import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQueueMiddleware as tsClientQueue } from '@commercetools/ts-client';
import { createQueueMiddleware as sdkClientV2Queue, type Middleware } from '@commercetools/sdk-client-v2';
import { API_ENGINE_NAMES, type ApiEngineName } from '../../../src/client/ApiEngine';
import { runWithCorrelationId, withApiCallOptions } from '../../../src/util/apiCallContext';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { CtpModuleOptions } from '../../../src/module/CtpModuleOptions';
import { API_URL, AUTH_URL, PROJECT, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';
import { CTP_CLIENT_VERSION } from '../../../src/util/userAgent';
import { readFileSync } from 'node:fs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An answer that never comes, from a fetch that honours its signal as every fetch does. */
const never = (init: RequestInit) =>
  new Promise<Response>((_resolve, reject) =>
    init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true }),
  );

function networkError(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code }) });
}

/** Services on one engine, with backoff waits recorded rather than slept. */
function setup(engine: ApiEngineName, options: CtpModuleOptions = {}) {
  const sleeps: number[] = [];
  const services = createTestServices({
    sleep: async (ms) => void sleeps.push(ms),
    ...options,
    api: { engine, ...options.api },
  });
  const apiCalls = () => services.platform.calls.filter((c) => c.url.startsWith(API_URL));
  return { ...services, sleeps, apiCalls };
}

async function failure(promise: Promise<unknown>): Promise<CtpApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CtpApiError);
  return error as CtpApiError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(API_ENGINE_NAMES)('API calls on the %s engine', (engine) => {
  describe('when the API answers an error', () => {
    it('should reject with a CtpApiError carrying status, codes, method, template, correlation ID, and the SDK error as cause', async () => {
      const { platform, client, apiCalls } = setup(engine);
      platform.on((call) =>
        call.path.endsWith('/categories/missing-42')
          ? json(
              {
                statusCode: 404,
                message: 'The Resource with ID missing-42 was not found.',
                errors: [{ code: 'ResourceNotFound', message: 'missing-42' }],
              },
              404,
            )
          : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      const error = await failure(apiRoot.categories().withId({ ID: 'missing-42' }).get().execute());
      expect(error).toMatchObject({
        code: CtpErrorCode.ApiNotFound,
        status: 404,
        statusCode: 404,
        apiCodes: ['ResourceNotFound'],
        apiCode: 'ResourceNotFound',
        method: 'GET',
        uriTemplate: '/{projectKey}/categories/{ID}',
        retries: 0,
      });
      const sent = apiCalls()[0]!;
      expect(error.correlationId).toBe(sent.headers['x-correlation-id']);
      expect(error.correlationId).toMatch(UUID);
      expect((error.cause as { statusCode?: number }).statusCode).toBe(404);
      // No id of the URL, no server text, no token in what the app would log.
      const shown = `${error.message} ${JSON.stringify(error)}`;
      expect(shown).not.toContain('missing-42');
      expect(shown).not.toContain(sent.headers['authorization']!.slice(7));
    });

    it.each([
      [400, 'InvalidInput', CtpErrorCode.ApiBadRequest],
      [403, 'insufficient_scope', CtpErrorCode.ApiForbidden],
      [409, 'ConcurrentModification', CtpErrorCode.ApiConflict],
      [500, 'General', CtpErrorCode.ApiUnavailable],
      [418, 'Teapot', CtpErrorCode.ApiFailed],
    ])('should map %i %s to its code without retrying a POST', async (status, apiCode, code) => {
      const { platform, client, apiCalls } = setup(engine);
      platform.on((call) =>
        call.url.startsWith(API_URL)
          ? json({ statusCode: status, message: 'x', errors: [{ code: apiCode, message: 'x' }] }, status)
          : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      const error = await failure(
        apiRoot
          .categories()
          .withId({ ID: 'c' })
          .post({ body: { version: 1, actions: [] } })
          .execute(),
      );
      expect(error).toMatchObject({ code, status, apiCodes: [apiCode], method: 'POST', retries: 0 });
      expect(apiCalls()).toHaveLength(1);
    });

    it('should keep the status of an HTML 502 page the engine cannot read', async () => {
      const { platform, client } = setup(engine, { api: { retry: { maxRetries: 0 } } });
      platform.on((call) =>
        call.url.startsWith(API_URL)
          ? new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } })
          : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      const error = await failure(apiRoot.categories().withId({ ID: 'c' }).get().execute());
      expect(error).toMatchObject({ code: CtpErrorCode.ApiUnavailable, status: 502 });
    });
  });

  describe('when the API cannot be reached', () => {
    it('should retry a GET twice with full-jitter backoff, then reject with CTP_API_NETWORK and status 502', async () => {
      const { platform, client, sleeps, apiCalls } = setup(engine);
      platform.on((call) => (call.url.startsWith(API_URL) ? Promise.reject(networkError('ECONNRESET')) : undefined));
      const apiRoot = await client.integrationApiRoot();
      const error = await failure(apiRoot.categories().withId({ ID: 'c' }).get().execute());
      expect(error).toMatchObject({
        code: CtpErrorCode.ApiNetwork,
        status: 502,
        retries: 2,
        reason: expect.stringContaining('ECONNRESET'),
      });
      expect(apiCalls()).toHaveLength(3);
      // random() = 0.5: half of min(cap, 200 ms * 2^n).
      expect(sleeps).toEqual([100, 200]);
      // Every attempt of one call carries the same correlation ID.
      expect(new Set(apiCalls().map((c) => c.headers['x-correlation-id'])).size).toBe(1);
    });

    it('should not resend a cart creation after a reset (it may have reached the platform)', async () => {
      const { platform, client, apiCalls } = setup(engine);
      platform.on((call) => (call.url.startsWith(API_URL) ? Promise.reject(networkError('ECONNRESET')) : undefined));
      const apiRoot = await client.integrationApiRoot();
      const error = await failure(
        apiRoot
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute(),
      );
      expect(error).toMatchObject({
        code: CtpErrorCode.ApiNetwork,
        retries: 0,
        method: 'POST',
        uriTemplate: '/{projectKey}/carts',
      });
      expect(apiCalls()).toHaveLength(1);
    });

    it('should resend a POST whose connection was refused (it never left)', async () => {
      const { platform, client, apiCalls } = setup(engine);
      let n = 0;
      platform.on((call) =>
        call.url.startsWith(API_URL) && (n += 1) === 1 ? Promise.reject(networkError('ECONNREFUSED')) : undefined,
      );
      platform.on((call) => (call.url.startsWith(API_URL) ? json({ id: 'cart-1', version: 1 }, 201) : undefined));
      const apiRoot = await client.integrationApiRoot();
      const { body } = await apiRoot
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute();
      expect(body.id).toBe('cart-1');
      expect(apiCalls()).toHaveLength(2);
    });
  });

  describe('when the API answers 502, 503, 504 or 429', () => {
    it('should retry a GET through 503 and 504 and answer', async () => {
      const { platform, client, apiCalls } = setup(engine);
      const faults = [503, 504];
      platform.on((call) => {
        const status = call.url.startsWith(API_URL) ? faults.shift() : undefined;
        return status === undefined ? undefined : json({ statusCode: status, message: 'busy' }, status);
      });
      const apiRoot = await client.integrationApiRoot();
      const { body } = await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(body.id).toBe('c1');
      expect(apiCalls()).toHaveLength(3);
    });

    it('should wait what Retry-After says on a 429, and not retry a 429 without it', async () => {
      const { platform, client, sleeps, apiCalls } = setup(engine);
      const answers = [
        json({ statusCode: 429, message: 'slow' }, 429, { 'retry-after': '1' }),
        json({ statusCode: 429, message: 'slow' }, 429),
      ];
      platform.on((call) => (call.url.startsWith(API_URL) ? answers.shift() : undefined));
      const apiRoot = await client.integrationApiRoot();
      const error = await failure(apiRoot.categories().withId({ ID: 'c1' }).get().execute());
      expect(error).toMatchObject({ code: CtpErrorCode.ApiRateLimited, status: 429, retries: 1 });
      expect(sleeps).toEqual([1_000]);
      expect(apiCalls()).toHaveLength(2);
    });

    it('should not wait a Retry-After past the cap', async () => {
      const { platform, client, sleeps } = setup(engine);
      platform.on((call) =>
        call.url.startsWith(API_URL)
          ? json({ statusCode: 503, message: 'down' }, 503, { 'retry-after': '60' })
          : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      const error = await failure(apiRoot.categories().withId({ ID: 'c1' }).get().execute());
      expect(error).toMatchObject({ code: CtpErrorCode.ApiUnavailable, status: 503, retries: 0 });
      expect(sleeps).toEqual([]);
    });

    it('should retry a GraphQL query and a search, never a GraphQL mutation', async () => {
      const { platform, client, apiCalls } = setup(engine, { api: { retry: { maxRetries: 1 } } });
      platform.on((call) =>
        call.url.startsWith(API_URL) ? json({ statusCode: 503, message: 'down' }, 503) : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      await failure(
        apiRoot
          .graphql()
          .post({ body: { query: '{ categories { total } }' } })
          .execute(),
      );
      expect(apiCalls()).toHaveLength(2);
      await failure(
        apiRoot
          .productProjections()
          .search()
          .post({ body: {} as never })
          .execute(),
      );
      expect(apiCalls()).toHaveLength(4);
      await failure(
        apiRoot
          .graphql()
          .post({ body: { query: 'mutation { createCart(draft: {currency: "EUR"}) { id } }' } })
          .execute(),
      );
      expect(apiCalls()).toHaveLength(5);
    });

    it('should retry a POST when the call opts in', async () => {
      const { platform, client, apiCalls } = setup(engine);
      const faults = [502];
      platform.on((call) => {
        const status = call.url.startsWith(API_URL) ? faults.shift() : undefined;
        return status === undefined ? undefined : json({ statusCode: status, message: 'x' }, status);
      });
      platform.on((call) => (call.url.startsWith(API_URL) ? json({ id: 'cart-9', version: 1 }, 201) : undefined));
      const apiRoot = await client.integrationApiRoot();
      const { body } = await withApiCallOptions({ retryNonIdempotent: true }, () =>
        apiRoot
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute(),
      );
      expect(body.id).toBe('cart-9');
      expect(apiCalls()).toHaveLength(2);
    });
  });

  describe('correlation IDs and User-Agent', () => {
    it('should send the context correlation ID and the User-Agent on API and auth requests, and log it in every event', async () => {
      const { platform, client, logger } = setup(engine, { appName: 'shop-bff/2.3.1' });
      platform.on((call) =>
        call.url.startsWith(API_URL) && call.headers['authorization'] === 'Bearer stale'
          ? json({ statusCode: 401, message: 'invalid_token', error: 'invalid_token' }, 401)
          : undefined,
      );
      await runWithCorrelationId('req-12345678', async () => {
        const apiRoot = await client.integrationApiRoot();
        await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      });
      expect(platform.calls.length).toBeGreaterThanOrEqual(2);
      for (const call of platform.calls) {
        expect(call.headers['x-correlation-id']).toBe('req-12345678');
        expect(call.headers['user-agent']).toBe(
          `ctp-client/${CTP_CLIENT_VERSION} node/${process.versions.node} shop-bff/2.3.1`,
        );
      }
      expect(platform.calls.some((c) => c.url.startsWith(AUTH_URL))).toBe(true);
      expect(logger.lines.length).toBeGreaterThan(0);
      for (const line of logger.lines) expect(line.obj).toMatchObject({ correlationId: 'req-12345678' });
    });

    it('should keep a valid ID the request set itself and replace an invalid one', async () => {
      const { client, apiCalls } = setup(engine);
      const apiRoot = await client.integrationApiRoot();
      await apiRoot
        .categories()
        .withId({ ID: 'c1' })
        .get({ headers: { 'X-Correlation-ID': 'mine_0123456789' } })
        .execute();
      await apiRoot
        .categories()
        .withId({ ID: 'c1' })
        .get({ headers: { 'X-Correlation-ID': 'bad id\r\nx' } })
        .execute();
      expect(apiCalls()[0]!.headers['x-correlation-id']).toBe('mine_0123456789');
      expect(apiCalls()[1]!.headers['x-correlation-id']).toMatch(UUID);
    });

    it('should replace an invalid ID the request set in lower case under that one name, not send two', async () => {
      const { client, apiCalls } = setup(engine);
      const apiRoot = await client.integrationApiRoot();
      await runWithCorrelationId('req-12345678', () =>
        apiRoot
          .categories()
          .withId({ ID: 'c1' })
          .get({ headers: { 'x-correlation-id': 'bad id' } })
          .execute(),
      );
      await apiRoot
        .categories()
        .withId({ ID: 'c1' })
        .get({ headers: { 'x-correlation-id': 'mine_0123456789' } })
        .execute();
      // Two spellings of one name would reach the platform joined: "bad id, req-12345678".
      expect(apiCalls().map((c) => c.headers['x-correlation-id'])).toEqual(['req-12345678', 'mine_0123456789']);
    });

    it("should leave the request's own headers as the caller made them, so a request executed again gets the ID of its new context", async () => {
      const { platform, client, apiCalls } = setup(engine);
      platform.on((call) =>
        call.path.endsWith('/graphql') ? json({ data: { categories: { total: 0 } } }) : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      const request = apiRoot.categories().withId({ ID: 'c1' }).get();
      const typed = apiRoot.graphql().post({
        body: { query: '{ categories { total } }' },
        headers: { 'Content-Type': 'application/graphql', 'User-Agent': 'mine/1' },
      });
      await runWithCorrelationId('first-request-1', () => request.execute());
      await runWithCorrelationId('first-request-1', () => typed.execute());
      expect(request.clientRequest().headers).toEqual({});
      expect(typed.clientRequest().headers).toEqual({ 'Content-Type': 'application/graphql', 'User-Agent': 'mine/1' });
      await runWithCorrelationId('second-request-2', () => request.execute());
      expect(request.clientRequest().headers).toEqual({});
      expect(
        apiCalls().map((c) => [
          c.headers['x-correlation-id'],
          c.headers['content-type'],
          c.headers['user-agent']?.split('/')[0],
        ]),
      ).toEqual([
        ['first-request-1', 'application/json', 'ctp-client'],
        ['first-request-1', 'application/graphql', 'ctp-client'],
        ['second-request-2', 'application/json', 'ctp-client'],
      ]);
    });

    it('should send one of each header whatever spelling the caller used: its content type, our User-Agent and correlation ID', async () => {
      const { platform, client, apiCalls } = setup(engine);
      platform.on((call) => (call.path.endsWith('/graphql') ? json({ data: {} }) : undefined));
      const apiRoot = await client.integrationApiRoot();
      const headers = {
        'content-type': 'application/graphql',
        'user-agent': 'mine/1',
        'x-correlation-id': 'mine_0123456789',
        'X-Custom': 'kept',
      };
      await apiRoot
        .graphql()
        .post({ body: { query: '{ categories { total } }' }, headers })
        .execute();
      expect(apiCalls()[0]!.headers).toMatchObject({
        'content-type': 'application/graphql',
        'x-correlation-id': 'mine_0123456789',
        'x-custom': 'kept',
      });
      expect(apiCalls()[0]!.headers['user-agent']).toMatch(/^ctp-client\//);
      // A request with headers of its own but no content type still goes out as JSON.
      await apiRoot
        .categories()
        .withId({ ID: 'c1' })
        .get({ headers: { 'X-Custom': 'kept' } })
        .execute();
      expect(apiCalls()[1]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-custom': 'kept' });
    });

    it('should give each call outside a request its own ID', async () => {
      const { client, apiCalls } = setup(engine);
      const apiRoot = await client.integrationApiRoot();
      await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(apiCalls()[0]!.headers['x-correlation-id']).not.toBe(apiCalls()[1]!.headers['x-correlation-id']);
    });

    it('should state the version package.json has', () => {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      };
      expect(CTP_CLIENT_VERSION).toBe(pkg.version);
    });
  });

  describe('cancellation and deadlines', () => {
    it('should reject with CTP_API_CANCELLED (499) when the caller aborts, and abort the fetch signal', async () => {
      // The fake platform grants; the API request hangs and keeps the signal it was sent with.
      const fetch = setup(engine).platform.fetch;
      let sent: AbortSignal | undefined;
      const services = setup(engine, {
        fetch: (input, init) => {
          if (input.startsWith(API_URL)) {
            sent = init.signal ?? undefined;
            return never(init);
          }
          return fetch(input, init);
        },
      });
      const hanging = await services.client.integrationApiRoot();
      const controller = new AbortController();
      const pending = withApiCallOptions({ signal: controller.signal }, () =>
        hanging.categories().withId({ ID: 'c1' }).get().execute(),
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(sent?.aborted).toBe(false);
      controller.abort(new Error('client went away'));
      const error = await failure(pending);
      expect(error).toMatchObject({ code: CtpErrorCode.ApiCancelled, status: 499, retries: 0 });
      expect(sent?.aborted).toBe(true);
    });

    it('should end a backoff wait with CTP_API_CANCELLED when the client is closed', async () => {
      let waiting = 0;
      const { platform, client, close, apiCalls } = setup(engine, {
        sleep: () => ((waiting += 1), new Promise<void>(() => undefined)),
      });
      platform.on((call) =>
        call.url.startsWith(API_URL) ? json({ statusCode: 503, message: 'busy' }, 503) : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      const pending = apiRoot
        .categories()
        .withId({ ID: 'c1' })
        .get()
        .execute()
        .catch((e: unknown) => e);
      while (waiting === 0) await new Promise((resolve) => setImmediate(resolve));
      await close();
      expect(await pending).toMatchObject({ code: CtpErrorCode.ApiCancelled, status: 499, retries: 1 });
      expect(apiCalls()).toHaveLength(1);
    });

    it('should not send at all with a signal already aborted', async () => {
      const { client, apiCalls } = setup(engine);
      const apiRoot = await client.integrationApiRoot();
      const error = await failure(
        withApiCallOptions({ signal: AbortSignal.abort() }, () =>
          apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
        ),
      );
      expect(error.code).toBe(CtpErrorCode.ApiCancelled);
      expect(apiCalls()).toHaveLength(0);
    });

    it("should fail at the call's own deadline with CTP_API_TIMEOUT, retries included", async () => {
      const fetch = setup(engine).platform.fetch;
      let attempts = 0;
      const { client } = setup(engine, {
        apiTimeoutMs: 10_000,
        fetch: (input, init) => {
          if (!input.startsWith(API_URL)) return fetch(input, init);
          attempts += 1;
          return never(init);
        },
      });
      const apiRoot = await client.integrationApiRoot();
      vi.useFakeTimers();
      const pending = withApiCallOptions({ timeoutMs: 1_500 }, () =>
        apiRoot.categories().withId({ ID: 'c1' }).get().execute(),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      await vi.advanceTimersByTimeAsync(1_700);
      const error = (await pending) as CtpApiError;
      expect(error).toBeInstanceOf(CtpApiError);
      expect(error).toMatchObject({ code: CtpErrorCode.ApiTimeout, status: 504 });
      // The call's deadline left no time for a resend.
      expect(attempts).toBe(1);
    });

    it("should fail at the deadline with CTP_API_TIMEOUT even when the app's fetch ignores the signal", async () => {
      const fetch = setup(engine).platform.fetch;
      const { client } = setup(engine, {
        apiTimeoutMs: 1_000,
        api: { retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } },
        // A fetch that never looks at init.signal and never settles.
        fetch: (input, init) =>
          input.startsWith(API_URL) ? new Promise<Response>(() => undefined) : fetch(input, init),
      });
      const apiRoot = await client.integrationApiRoot();
      vi.useFakeTimers();
      const pending = apiRoot
        .categories()
        .withId({ ID: 'c1' })
        .get()
        .execute()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      await vi.advanceTimersByTimeAsync(1_100);
      expect(await pending).toMatchObject({ code: CtpErrorCode.ApiTimeout, status: 504 });
    });

    it("should redact the call's token from a network error's reason, when the app's fetch quotes the request", async () => {
      const fetch = setup(engine).platform.fetch;
      let sent = '';
      const { client } = setup(engine, {
        api: { retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } },
        fetch: (input, init) => {
          if (!input.startsWith(API_URL)) return fetch(input, init);
          sent = new Headers(init.headers).get('authorization') ?? '';
          return Promise.reject(new TypeError(`proxy refused ${sent}`));
        },
      });
      const apiRoot = await client.integrationApiRoot();
      const error = await failure(apiRoot.categories().withId({ ID: 'c1' }).get().execute());
      expect(error.code).toBe(CtpErrorCode.ApiNetwork);
      const token = sent.replace(/^Bearer /, '');
      expect(token.length).toBeGreaterThan(10);
      expect(JSON.stringify(error)).not.toContain(token);
      expect(String(error.reason)).not.toContain(token);
    });

    it('should narrow a chain deadline with an inner one and refuse a bad timeout', () => {
      expect(() => withApiCallOptions({ timeoutMs: -1 }, () => undefined)).toThrow(
        expect.objectContaining({ code: CtpErrorCode.ConfigInvalid }),
      );
      expect(() => withApiCallOptions({ correlationId: 'x' }, () => undefined)).toThrow(
        expect.objectContaining({ code: CtpErrorCode.ConfigInvalid }),
      );
    });
  });

  describe('the 401 recovery', () => {
    it('should renew once through the source and answer; a second 401 is CTP_API_UNAUTHORIZED', async () => {
      const { platform, client } = setup(engine);
      let refusals = 1;
      platform.on((call) =>
        call.url.startsWith(API_URL) && refusals-- > 0
          ? json({ statusCode: 401, message: 'invalid_token', error: 'invalid_token' }, 401)
          : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      const { body } = await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(body.id).toBe('c1');
      expect(platform.grants('client_credentials')).toHaveLength(2);
      refusals = 2;
      const again = await client.integrationApiRoot();
      const error = await failure(again.categories().withId({ ID: 'c1' }).get().execute());
      expect(error).toMatchObject({ code: CtpErrorCode.ApiUnauthorized, status: 401 });
    });
  });

  describe('app middlewares', () => {
    it("should run them after the library's auth and before HTTP, on every call", async () => {
      const seen: { authorization: boolean; uri: string }[] = [];
      const middleware: Middleware = (next) => (request, response) => {
        const headers = request.headers as Record<string, string> | undefined;
        seen.push({ authorization: typeof headers?.['Authorization'] === 'string', uri: request.uri ?? '' });
        return next(request, response);
      };
      // Both engines call a middleware as next => request => ...; sdk-client-v2 adds a response argument.
      const { client, apiCalls } = setup(engine, { api: { middlewares: [middleware] } });
      const apiRoot = await client.integrationApiRoot();
      await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
      expect(seen).toEqual([{ authorization: true, uri: `/${PROJECT}/categories/c1` }]);
      expect(apiCalls()).toHaveLength(1);
    });

    it('should keep each call its own correlation ID and error when a middleware defers next (a queue)', async () => {
      // ts-client awaits what a middleware returns; sdk-client-v2 ignores it.
      const queue = ((next: (request: unknown, response: unknown) => unknown) =>
        (request: unknown, response: unknown) =>
          new Promise((resolve) => setImmediate(resolve)).then(() => next(request, response))) as unknown as Middleware;
      const { platform, client, apiCalls } = setup(engine, { api: { middlewares: [queue] } });
      platform.on((call) =>
        call.path.endsWith('/missing')
          ? json({ statusCode: 404, message: 'x', errors: [{ code: 'ResourceNotFound' }] }, 404)
          : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      const [found, missing] = await Promise.all([
        runWithCorrelationId('first-call-1', () => apiRoot.categories().withId({ ID: 'c1' }).get().execute()),
        runWithCorrelationId('second-call-2', () =>
          apiRoot
            .categories()
            .withId({ ID: 'missing' })
            .get()
            .execute()
            .catch((e: unknown) => e),
        ),
      ]);
      expect(found.body.id).toBe('c1');
      expect(missing).toMatchObject({ code: CtpErrorCode.ApiNotFound, correlationId: 'second-call-2' });
      expect(apiCalls().map((c) => [c.path.split('/').pop(), c.headers['x-correlation-id']])).toEqual(
        expect.arrayContaining([
          ['c1', 'first-call-1'],
          ['missing', 'second-call-2'],
        ]),
      );
    });

    it("should keep each call its own state behind the engine's own queue middleware, which sends a waiting call from another call's completion", async () => {
      const queue = engine === 'ts-client' ? tsClientQueue({ concurrency: 1 }) : sdkClientV2Queue({ concurrency: 1 });
      const { platform, client, apiCalls } = setup(engine, { api: { middlewares: [queue] } });
      let busy = 1;
      platform.on((call) =>
        call.path.endsWith('/busy') && busy-- > 0 ? json({ statusCode: 503, message: 'busy' }, 503) : undefined,
      );
      platform.on((call) =>
        call.path.endsWith('/missing')
          ? json({ statusCode: 404, message: 'x', errors: [{ code: 'ResourceNotFound' }] }, 404)
          : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      const [first, second, third] = await Promise.all([
        runWithCorrelationId('first-call-1', () => apiRoot.categories().withId({ ID: 'busy' }).get().execute()),
        runWithCorrelationId('second-call-2', () =>
          apiRoot
            .categories()
            .withId({ ID: 'missing' })
            .get()
            .execute()
            .catch((e: unknown) => e),
        ),
        runWithCorrelationId('third-call-3', () => apiRoot.categories().withId({ ID: 'c3' }).get().execute()),
      ]);
      expect(first.body.id).toBe('busy');
      expect(second).toMatchObject({ code: CtpErrorCode.ApiNotFound, correlationId: 'second-call-2', retries: 0 });
      expect(third.body.id).toBe('c3');
      expect(apiCalls().map((c) => [c.path.split('/').pop(), c.headers['x-correlation-id']])).toEqual([
        ['busy', 'first-call-1'],
        ['busy', 'first-call-1'],
        ['missing', 'second-call-2'],
        ['c3', 'third-call-3'],
      ]);
      // The call tag never leaves the process.
      for (const call of apiCalls()) expect(Object.keys(call.headers)).not.toContain('x-ctp-client-call');
    });
  });
});
