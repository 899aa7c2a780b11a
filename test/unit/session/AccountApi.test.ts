import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CtpAnswerRefusedError } from '../../../src/errors/CtpAnswerRefusedError';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { AccountApi, MAX_ACCOUNT_ANSWER_BYTES, type AccountRequest } from '../../../src/session/AccountApi';
import { countingIntegration } from './countingIntegration';

const API = 'https://api.example.test';
const SECRET = 'pa55/w rd';
const BEARER = 'bearer-token-7';

type Answer = (url: string, init: RequestInit) => Response | Promise<Response>;

function api(answer: Answer, integration = countingIntegration().integration, timeoutMs = 1_000) {
  const calls: { url: string; init: RequestInit }[] = [];
  const a = new AccountApi({
    apiUrl: API,
    projectKey: 'my proj',
    timeoutMs,
    integration,
    fetch: () => async (url, init) => {
      calls.push({ url, init });
      return answer(url, init);
    },
  });
  const bearers = () => calls.map((c) => (c.init.headers as Record<string, string>)['authorization']);
  return { a, calls, bearers };
}

const request = (extra: Partial<AccountRequest> = {}): AccountRequest => ({
  operation: 'sign-up',
  flow: 'account',
  method: 'POST',
  path: '/customers',
  storeKey: undefined,
  body: { email: 'a@example.com', password: SECRET },
  secrets: [SECRET],
  ...extra,
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

const leaks = (error: unknown) =>
  [String(error), JSON.stringify(error), inspect(error, { showHidden: true, depth: null })].some(
    (t) => t.includes(SECRET) || t.includes(encodeURIComponent(SECRET)) || t.includes(BEARER),
  );

describe(AccountApi, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('.send', () => {
    it('should POST the body as JSON below the project, with the bearer, refusing redirects', async () => {
      const { a, calls } = api(() => json({ id: 'c-1', errors: [] }, 201));
      const answer = await a.send(request(), BEARER);
      expect(answer).toEqual({
        status: 201,
        body: { id: 'c-1', errors: [] },
        errors: [],
        apiCode: undefined,
        secrets: [SECRET, BEARER],
      });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.url).toBe(`${API}/my%20proj/customers`);
      expect(calls[0]!.init).toMatchObject({ method: 'POST', redirect: 'manual' });
      expect(calls[0]!.init.headers).toEqual({
        authorization: `Bearer ${BEARER}`,
        accept: 'application/json',
        'content-type': 'application/json',
      });
      expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ email: 'a@example.com', password: SECRET });
      expect(calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
    });

    it("should send a GET without body or content-type, in the Store's path when it has a Store", async () => {
      const { a, calls } = api(() => json({ version: 3 }));
      await a.send(request({ method: 'GET', path: '/me', storeKey: 'store/1', body: undefined }), BEARER);
      expect(calls[0]!.url).toBe(`${API}/my%20proj/in-store/key=store%2F1/me`);
      expect(calls[0]!.init.method).toBe('GET');
      expect(calls[0]!.init.headers).toEqual({ authorization: `Bearer ${BEARER}`, accept: 'application/json' });
      expect('body' in calls[0]!.init).toBe(false);
    });

    describe('when the answer is an error', () => {
      it('should hand it back with the errors that are objects and the first code', async () => {
        const { a } = api(() =>
          json({ message: 'no', errors: [{ code: 'DuplicateField', field: 'email' }, 'junk', null, { code: 7 }] }, 400),
        );
        const answer = await a.send(request(), BEARER);
        expect(answer.status).toBe(400);
        expect(answer.apiCode).toBe('DuplicateField');
        expect(answer.errors).toEqual([{ code: 'DuplicateField', field: 'email' }, { code: 7 }]);
      });

      it.each([
        ['a proxy page', '<html>bad gateway</html>'],
        ['a JSON array', '[{"code":"X"}]'],
        ['JSON null', 'null'],
        ['a JSON string', '"errors"'],
        ['a JSON number', '42'],
        ['errors that are not a list', '{"errors":{"code":"X"}}'],
        ['a code that is not a string', '{"errors":[{"code":42}]}'],
      ])('should read %s as no body or no code', async (_name, text) => {
        const { a } = api(() => new Response(text, { status: 502 }));
        const answer = await a.send(request(), BEARER);
        expect(answer.status).toBe(502);
        expect(answer.apiCode).toBeUndefined();
        if (!text.startsWith('{')) expect(answer.body).toBeUndefined();
        if (!text.includes('[{')) expect(answer.errors).toEqual([]);
      });
    });

    describe('when the API answers a redirect', () => {
      it.each([300, 307, 308, 399])(
        'should not follow a %d and raise CTP_REDIRECT_REFUSED with the flow',
        async (status) => {
          let cancelled = false;
          const body = new ReadableStream({ cancel: () => void (cancelled = true) });
          const { a, calls } = api(
            () => new Response(body, { status, headers: { location: 'https://evil.example/' } }),
          );
          const error = await a.send(request({ flow: 'login' }), BEARER).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(CtpAnswerRefusedError);
          expect(error).toMatchObject({
            code: CtpErrorCode.RedirectRefused,
            host: 'api',
            flow: 'login',
            status,
            limitBytes: undefined,
          });
          expect((error as Error).message).toContain('redirect');
          expect(calls).toHaveLength(1);
          expect(cancelled).toBe(true);
        },
      );

      it('should refuse an answer a custom fetch got by following one anyway', async () => {
        const { a } = api(() => {
          const followed = json({ id: 'c-1' });
          Object.defineProperty(followed, 'redirected', { value: true });
          return followed;
        });
        await expect(a.send(request(), BEARER)).rejects.toMatchObject({ code: CtpErrorCode.RedirectRefused });
      });

      it('should hand back a 299 and a 400 as answers', async () => {
        const { a } = api((url) => json({}, url.endsWith('/bad') ? 400 : 299));
        await expect(a.send(request(), BEARER)).resolves.toMatchObject({ status: 299 });
        await expect(a.send(request({ path: '/bad' }), BEARER)).resolves.toMatchObject({ status: 400 });
      });
    });

    describe('when the answer is larger than the cap', () => {
      it('should stop reading a streamed answer past the cap and raise CTP_ANSWER_TOO_LARGE', async () => {
        const { a } = api(() => new Response('x'.repeat(MAX_ACCOUNT_ANSWER_BYTES + 1), { status: 201 }));
        const error = await a.send(request(), BEARER).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CtpAnswerRefusedError);
        expect(error).toMatchObject({
          code: CtpErrorCode.AnswerTooLarge,
          host: 'api',
          flow: 'account',
          status: 201,
          limitBytes: MAX_ACCOUNT_ANSWER_BYTES,
        });
      });

      it('should read an answer of exactly the cap', async () => {
        const text = JSON.stringify({ pad: 'x'.repeat(MAX_ACCOUNT_ANSWER_BYTES - 10) });
        const { a } = api(() => new Response(text));
        await expect(a.send(request(), BEARER)).resolves.toMatchObject({ status: 200 });
      });

      it('should be 1 MiB, room for a sign-in answer with a large cart', () => {
        expect(MAX_ACCOUNT_ANSWER_BYTES).toBe(1024 * 1024);
      });
    });

    describe('when the API does not answer', () => {
      it('should abort the request at its deadline (freeing the socket), also for a fetch that ignores it', async () => {
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
        let signal: AbortSignal | undefined;
        const { a } = api((_url, init) => {
          signal = init.signal ?? undefined;
          return new Promise<Response>(() => undefined);
        });
        const pending = a.send(request(), BEARER).catch((e: unknown) => e);
        await vi.advanceTimersByTimeAsync(999);
        expect(signal?.aborted).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        expect(signal?.aborted).toBe(true);
        const error = (await pending) as CtpApiError;
        expect(error).toBeInstanceOf(CtpApiError);
        expect(error.code).toBe(CtpErrorCode.ApiRequestFailed);
        expect(error.message).toContain('The sign-up failed: the API did not answer within 1000 ms');
        expect(error.reason).toBeUndefined();
      });

      it('should stop the deadline once the answer is read', async () => {
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
        const { a } = api(() => json({}));
        await a.send(request(), BEARER);
        expect(vi.getTimerCount()).toBe(0);
      });
    });

    describe('when the request fails with an error that carries a secret or the bearer', () => {
      it('should keep the redacted reason in a field and a fixed message', async () => {
        const { a } = api(() => {
          throw new TypeError(`socket hang up sending ${encodeURIComponent(SECRET)} as ${BEARER}`);
        });
        const error = (await a.send(request(), BEARER).catch((e: unknown) => e)) as CtpApiError;
        expect(error).toBeInstanceOf(CtpApiError);
        expect(error.code).toBe(CtpErrorCode.ApiRequestFailed);
        expect(error.reason).toBe('socket hang up sending [redacted] as [redacted]');
        expect(error.message).toContain('The sign-up failed: the API could not be reached');
        expect(leaks(error)).toBe(false);
      });

      it('should cut a long reason and name a thrown non-error', async () => {
        const long = api(() => Promise.reject(new Error('x'.repeat(500))));
        const error = (await long.a.send(request(), BEARER).catch((e: unknown) => e)) as CtpApiError;
        expect(error.reason).toBe(`${'x'.repeat(120)}…`);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a custom fetch may reject with anything
        const odd = api(() => Promise.reject('just a string'));
        const other = (await odd.a.send(request(), BEARER).catch((e: unknown) => e)) as CtpApiError;
        expect(other.reason).toBe('unknown error');
      });
    });
  });

  describe('.asIntegration', () => {
    it("should send with the integration's token and not renew it on an answer other than 401", async () => {
      const p = countingIntegration();
      const { a, bearers } = api(() => json({ statusCode: 403 }, 403), p.integration);
      await expect(a.asIntegration(request())).resolves.toMatchObject({ status: 403 });
      expect(bearers()).toEqual(['Bearer token-1']);
      expect(p.grants()).toBe(1);
    });

    it('should renew a refused token once and send again, handing back a second 401 as it is', async () => {
      const p = countingIntegration();
      const { a, bearers } = api(() => json({ statusCode: 401 }, 401), p.integration);
      await expect(a.asIntegration(request())).resolves.toMatchObject({ status: 401 });
      expect(bearers()).toEqual(['Bearer token-1', 'Bearer token-2']);
      expect(p.grants()).toBe(2);
    });

    describe('when the token was replaced while the refused request was in flight', () => {
      it('should invalidate the token it sent, not the fresh one held now, and send again with the fresh one', async () => {
        const p = countingIntegration();
        const { a, bearers } = api(async (_url, init) => {
          if ((init.headers as Record<string, string>)['authorization'] !== 'Bearer token-1') return json({}, 201);
          // Meanwhile an API call got its own 401 for token-1 and its recovery got token-2.
          p.integration.invalidate('token-1');
          await p.integration.get();
          return json({ statusCode: 401 }, 401);
        }, p.integration);
        await expect(a.asIntegration(request())).resolves.toMatchObject({ status: 201 });
        expect(bearers()).toEqual(['Bearer token-1', 'Bearer token-2']);
        // token-2 was not thrown away for a third grant.
        expect(p.grants()).toBe(2);
        expect((await p.integration.get()).accessToken).toBe('token-2');
      });
    });
  });

  describe('.failure', () => {
    it("should keep the API's code and message redacted in fields, with a fixed message", async () => {
      const { a } = api(() =>
        json({ message: `bad ${SECRET} with ${BEARER}`, errors: [{ code: `Weird${BEARER}${'y'.repeat(200)}` }] }, 500),
      );
      const error = a.failure(request(), await a.send(request(), BEARER));
      expect(error).toBeInstanceOf(CtpApiError);
      expect(error).toMatchObject({ code: CtpErrorCode.ApiRequestFailed, status: 500 });
      expect(error.apiMessage).toBe('bad [redacted] with [redacted]');
      expect(error.apiCode).toBe(`Weird[redacted]${'y'.repeat(85)}…`);
      expect(error.message).toMatch(/^The sign-up failed \(status, code and message of the API are in/);
      expect(leaks(error)).toBe(false);
    });

    it('should keep only the status of an answer that is not JSON', async () => {
      const { a } = api(() => new Response('<html>oops</html>', { status: 503 }));
      const error = a.failure(request(), await a.send(request(), BEARER));
      expect(error).toMatchObject({ status: 503, apiCode: undefined, apiMessage: undefined });
    });

    it('should leave apiMessage unset when the answer has no string message', async () => {
      const { a } = api(() => json({ message: { nested: true } }, 500));
      const error = a.failure(request(), await a.send(request(), BEARER));
      expect(error.apiMessage).toBeUndefined();
      expect(error.apiCode).toBeUndefined();
    });
  });
});
