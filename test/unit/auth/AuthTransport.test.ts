import { afterEach, describe, expect, it, vi } from 'vitest';
import { CtpAuthUnavailableError } from '../../../src/errors/CtpAuthUnavailableError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { PROJECT, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

const SCOPE = `view_products:${PROJECT}`;
const ok = () => json({ access_token: 'tok-after-retry', token_type: 'Bearer', expires_in: 60, scope: SCOPE });

describe('AuthTransport', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('when the auth host answers 503 then 200', () => {
    it('should retry after a jittered backoff and return the token', async () => {
      const sleeps: number[] = [];
      const { platform, oauth, logger } = createTestServices({
        sleep: async (ms) => void sleeps.push(ms),
        random: () => 0.5,
      });
      let n = 0;
      platform.on(() => (++n === 1 ? new Response('busy', { status: 503 }) : ok()));
      const answer = await oauth.clientCredentials(SCOPE);
      expect(answer.accessToken).toBe('tok-after-retry');
      expect(platform.calls).toHaveLength(2);
      // full jitter: 0.5 * min(5000, 200 * 2^0)
      expect(sleeps).toEqual([100]);
      expect(logger.events('ctp.auth.retry')).toEqual([
        {
          event: 'ctp.auth.retry',
          flow: 'client_credentials',
          attempt: 1,
          delayMs: 100,
          reason: 'status',
          status: 503,
        },
      ]);
    });
  });

  describe('when the auth host answers 429 with Retry-After', () => {
    it('should wait what Retry-After says', async () => {
      const sleeps: number[] = [];
      const { platform, oauth } = createTestServices({ sleep: async (ms) => void sleeps.push(ms) });
      let n = 0;
      platform.on(() => (++n === 1 ? new Response('', { status: 429, headers: { 'retry-after': '2' } }) : ok()));
      await oauth.clientCredentials(SCOPE);
      expect(sleeps).toEqual([2000]);
    });

    it('should give up at once when Retry-After is longer than maxDelayMs', async () => {
      const { platform, oauth } = createTestServices({ retry: { maxDelayMs: 1000 } });
      platform.on(() => new Response('', { status: 429, headers: { 'retry-after': '120' } }));
      await expect(oauth.clientCredentials(SCOPE)).rejects.toMatchObject({
        code: CtpErrorCode.AuthUnavailable,
        status: 429,
        attempts: 1,
      });
      expect(platform.calls).toHaveLength(1);
    });
  });

  describe('when the auth host keeps failing', () => {
    it('should stop after maxRetries and raise CTP_AUTH_UNAVAILABLE that names an HTML page', async () => {
      const { platform, oauth } = createTestServices({ retry: { maxRetries: 3 } });
      platform.on(
        () => new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
      );
      const error = (await oauth.clientCredentials(SCOPE).catch((e: unknown) => e)) as CtpAuthUnavailableError;
      expect(error).toBeInstanceOf(CtpAuthUnavailableError);
      expect(error.code).toBe(CtpErrorCode.AuthUnavailable);
      expect(error.attempts).toBe(4);
      expect(error.message).toContain('HTML');
      expect(platform.calls).toHaveLength(4);
    });

    it('should raise CTP_AUTH_NETWORK on connection errors, without the secret', async () => {
      const { platform, oauth } = createTestServices({ retry: { maxRetries: 1 } });
      platform.on(() => {
        throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
      });
      const error = (await oauth.clientCredentials(SCOPE).catch((e: unknown) => e)) as CtpAuthUnavailableError;
      expect(error.code).toBe(CtpErrorCode.AuthNetwork);
      // What failed is kept in a field; the message is a fixed string.
      expect(error.reason).toContain('ECONNRESET');
      expect(error.message).not.toContain('ECONNRESET');
      expect(error.attempts).toBe(2);
    });

    it('should not retry a 400', async () => {
      const { platform, oauth } = createTestServices();
      platform.on(() => json({ error: 'invalid_request' }, 400));
      await expect(oauth.clientCredentials(SCOPE)).rejects.toMatchObject({ code: CtpErrorCode.AuthRejected });
      expect(platform.calls).toHaveLength(1);
    });
  });

  describe('when the auth host hangs', () => {
    it('should abort each attempt after timeoutMs and raise CTP_AUTH_TIMEOUT', async () => {
      vi.useFakeTimers();
      const { platform, oauth } = createTestServices({ authTimeoutMs: 1_000, retry: { maxRetries: 1 } });
      // A fetch that ignores the abort signal: the transport's own race must still end the wait.
      platform.on(() => new Promise<Response>(() => undefined));
      const pending = oauth.clientCredentials(SCOPE).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(2_500);
      const error = (await pending) as CtpAuthUnavailableError;
      expect(error.code).toBe(CtpErrorCode.AuthTimeout);
      expect(error.attempts).toBe(2);
      expect(error.message).toContain('1000 ms');
    });
  });
});
