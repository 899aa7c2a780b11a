import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FetchLike } from '../../../src/auth/AuthTransport';
import type { SharedTokenProvider } from '../../../src/tokens/SharedTokenProvider';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { MAX_ACCOUNT_ANSWER_BYTES } from '../../../src/session/AccountApi';
import { CustomerSignIn, type SignInRequest } from '../../../src/session/CustomerSignIn';

const PASSWORD = 'pw!';
const INTEGRATION_TOKEN = 'integration-token-42';
const request: SignInRequest = {
  email: 'a@example.com',
  password: PASSWORD,
  anonymousId: 'anon-1',
  anonymousCartSignInMode: 'MergeWithExistingCustomerCart',
};

function signIn(answer: (init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return answer(init);
  };
  const integration = {
    get: () => Promise.resolve({ accessToken: INTEGRATION_TOKEN, issuedAt: 0, expiresAt: 1, scopes: [] }),
    invalidate: () => undefined,
  } as unknown as SharedTokenProvider;
  return {
    calls,
    signIn: new CustomerSignIn({
      apiUrl: 'https://api.example.test',
      projectKey: 'p',
      fetch: () => fetch,
      timeoutMs: 5_000,
      integration,
    }),
  };
}

const leaks = (error: unknown) =>
  [String(error), JSON.stringify(error), inspect(error, { showHidden: true, depth: null })].some(
    (t) => t.includes(PASSWORD) || t.includes(INTEGRATION_TOKEN),
  );

describe(CustomerSignIn, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('.signIn', () => {
    describe('when the API answers an error that echoes the password and the token', () => {
      it('should keep code and message redacted in fields, with a fixed message', async () => {
        const { signIn: s } = signIn(
          () =>
            new Response(
              JSON.stringify({
                statusCode: 400,
                message: `bad body {"password":"${PASSWORD}"} with ${INTEGRATION_TOKEN}`,
                errors: [{ code: `Weird${PASSWORD}` }],
              }),
              { status: 400 },
            ),
        );
        const error = (await s.signIn(request).catch((e: unknown) => e)) as CtpApiError;
        expect(error).toBeInstanceOf(CtpApiError);
        expect(error.status).toBe(400);
        expect(error.apiMessage).toBe('bad body {"password":"[redacted]"} with [redacted]');
        expect(error.apiCode).toBe('Weird[redacted]');
        expect(error.message).not.toContain('bad body');
        expect(leaks(error)).toBe(false);
      });
    });

    describe('when the request fails with an error that carries the password', () => {
      it('should keep the redacted reason in a field', async () => {
        const { signIn: s } = signIn(() => {
          throw new TypeError(`socket hang up sending ${PASSWORD} as ${encodeURIComponent(INTEGRATION_TOKEN)}`);
        });
        const error = (await s.signIn(request).catch((e: unknown) => e)) as CtpApiError;
        expect(error.code).toBe(CtpErrorCode.ApiRequestFailed);
        expect(error.reason).toBe('socket hang up sending [redacted] as [redacted]');
        expect(leaks(error)).toBe(false);
      });
    });

    describe('when the API does not answer', () => {
      it('should abort the request at its deadline (freeing the socket) and raise a typed error', async () => {
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
        let signal: AbortSignal | undefined;
        const { signIn: s } = signIn((init) => {
          signal = init.signal ?? undefined;
          return new Promise<Response>(() => undefined);
        });
        const pending = s.signIn(request).catch((e: unknown) => e);
        await vi.advanceTimersByTimeAsync(4_999);
        expect(signal?.aborted).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        expect(signal?.aborted).toBe(true);
        const error = (await pending) as CtpApiError;
        expect(error.code).toBe(CtpErrorCode.ApiRequestFailed);
        expect(error.message).toContain('5000 ms');
      });
    });

    describe('when the API answers a redirect', () => {
      it('should not follow it and raise CTP_REDIRECT_REFUSED', async () => {
        const { calls, signIn: s } = signIn(
          () => new Response(null, { status: 307, headers: { location: 'https://evil.example/' } }),
        );
        await expect(s.signIn(request)).rejects.toMatchObject({
          code: CtpErrorCode.RedirectRefused,
          host: 'api',
          flow: 'login',
          status: 307,
        });
        expect(calls).toHaveLength(1);
        expect(calls[0]?.init.redirect).toBe('manual');
      });
    });

    describe('when the answer is larger than the cap', () => {
      it('should stop reading and raise CTP_ANSWER_TOO_LARGE', async () => {
        const { signIn: s } = signIn(() => new Response('x'.repeat(MAX_ACCOUNT_ANSWER_BYTES + 1)));
        await expect(s.signIn(request)).rejects.toMatchObject({
          code: CtpErrorCode.AnswerTooLarge,
          limitBytes: MAX_ACCOUNT_ANSWER_BYTES,
        });
      });
    });
  });
});
