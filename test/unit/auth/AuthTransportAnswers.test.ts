import { describe, expect, it } from 'vitest';
import { AuthTransport, type FetchLike } from '../../../src/auth/AuthTransport';
import { MAX_AUTH_ANSWER_BYTES } from '../../../src/auth/readCappedText';
import { CtpAnswerRefusedError } from '../../../src/errors/CtpAnswerRefusedError';
import { CtpAuthUnavailableError } from '../../../src/errors/CtpAuthUnavailableError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpConfigError } from '../../../src/errors/CtpConfigError';
import { CapturingLogger, ManualClock, createTestServices } from '../../support/createTestServices';

const AUTH_URL = 'https://auth.example.test';

function transport(answer: (init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return answer(init);
  };
  const t = new AuthTransport({
    authUrl: AUTH_URL,
    authorization: 'Basic Y2xpZW50OnNlY3JldA==',
    fetch: () => fetch,
    timeoutMs: 1_000,
    retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 10 },
    clock: new ManualClock(),
    sleep: async () => undefined,
    random: () => 0.5,
    logger: new CapturingLogger(),
  });
  const post = () =>
    t.post({
      flow: 'password',
      path: '/oauth/p/customers/token',
      params: new URLSearchParams({ username: 'u', password: 'pw', grant_type: 'password' }),
      secrets: ['pw'],
    });
  return { calls, post };
}

describe(AuthTransport, () => {
  describe('.post', () => {
    describe('when sending', () => {
      it('should ask fetch not to follow redirects and not to compress, with the form, Basic auth and a signal', async () => {
        const { calls, post } = transport(() => new Response('{}'));
        await post();
        expect(calls).toHaveLength(1);
        const { url, init } = calls[0]!;
        expect(url).toBe(`${AUTH_URL}/oauth/p/customers/token`);
        expect(init.method).toBe('POST');
        expect(init.redirect).toBe('manual');
        expect(init.signal).toBeInstanceOf(AbortSignal);
        expect(init.body).toBe('username=u&password=pw&grant_type=password');
        expect(init.headers).toMatchObject({
          authorization: 'Basic Y2xpZW50OnNlY3JldA==',
          'accept-encoding': 'identity',
          'content-type': 'application/x-www-form-urlencoded',
        });
      });
    });

    describe.each([301, 302, 303, 307, 308])('when the auth host answers %i', (status) => {
      it('should raise CTP_REDIRECT_REFUSED at once, without following or retrying', async () => {
        const { calls, post } = transport(
          () => new Response(null, { status, headers: { location: 'https://evil.example/steal' } }),
        );
        const error = (await post().catch((e: unknown) => e)) as CtpAnswerRefusedError;
        expect(error).toBeInstanceOf(CtpAnswerRefusedError);
        expect(error.code).toBe(CtpErrorCode.RedirectRefused);
        expect(error).toMatchObject({ host: 'auth', flow: 'password', status });
        expect(error.message).not.toContain('evil.example');
        expect(calls).toHaveLength(1);
      });
    });

    describe('when a custom fetch followed a redirect anyway', () => {
      it('should still refuse the answer', async () => {
        const { post } = transport(() => {
          const followed = new Response('{"access_token":"x"}');
          Object.defineProperty(followed, 'redirected', { value: true });
          return followed;
        });
        await expect(post()).rejects.toMatchObject({ code: CtpErrorCode.RedirectRefused });
      });
    });

    describe('when the answer is larger than the cap', () => {
      it('should raise CTP_ANSWER_TOO_LARGE with the cap, without retrying', async () => {
        const { calls, post } = transport(() => new Response('x'.repeat(MAX_AUTH_ANSWER_BYTES + 1), { status: 200 }));
        const error = (await post().catch((e: unknown) => e)) as CtpAnswerRefusedError;
        expect(error.code).toBe(CtpErrorCode.AnswerTooLarge);
        expect(error.limitBytes).toBe(MAX_AUTH_ANSWER_BYTES);
        expect(calls).toHaveLength(1);
      });

      it('should refuse an oversized 503 too rather than read it for the retry', async () => {
        const { post } = transport(() => new Response('<html>'.repeat(20_000), { status: 503 }));
        await expect(post()).rejects.toMatchObject({ code: CtpErrorCode.AnswerTooLarge });
      });
    });

    describe('when the network error message carries a secret', () => {
      it('should keep the redacted reason in a field and a fixed message', async () => {
        const { post } = transport(() => {
          throw new TypeError('fetch failed', { cause: new Error('refused password=pw and Y2xpZW50OnNlY3JldA==') });
        });
        const error = (await post().catch((e: unknown) => e)) as CtpAuthUnavailableError;
        expect(error.code).toBe(CtpErrorCode.AuthNetwork);
        expect(error.reason).toBe('fetch failed: refused password=[redacted] and [redacted]');
        expect(error.message).not.toContain('refused');
      });
    });
  });
});

describe('createCtpServices with AuthTransport and CustomerSignIn', () => {
  describe('when a timeout is beyond the range of setTimeout', () => {
    it.each([
      ['authTimeoutMs', { authTimeoutMs: 2 ** 31 }],
      ['apiTimeoutMs', { apiTimeoutMs: 2 ** 31 }],
    ])(
      'should refuse %s above 2^31-1 at start-up with CTP_CONFIG_INVALID instead of timing out after 1 ms',
      (name, options) => {
        let error: unknown;
        try {
          createTestServices(options);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(CtpConfigError);
        expect((error as CtpConfigError).code).toBe(CtpErrorCode.ConfigInvalid);
        expect((error as CtpConfigError).problems.join(' ')).toContain(name);
      },
    );

    it('should accept 2^31-1', () => {
      expect(() => createTestServices({ authTimeoutMs: 2 ** 31 - 1, apiTimeoutMs: 2 ** 31 - 1 })).not.toThrow();
    });
  });
});
