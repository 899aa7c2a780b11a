import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OAuthClient } from '../../../src/auth/OAuthClient';
import { DEFAULT_RETRY_POLICY } from '../../../src/auth/RetryPolicy';
import { CtpError } from '../../../src/errors/CtpError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { timerSleep } from '../../../src/util/sleep';
import { PROJECT, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

/**
 * Pins which answers to a grant are retried. A refusal (400/401/403/404) is final: sending a
 * password or refresh token again cannot change it, and a WAF's 403 repeated three times looks like
 * an attack. A transient failure (408/425/429/5xx, network, timeout) is retried within the policy's
 * bounds: at most maxRetries more attempts, each wait at most maxDelayMs.
 */

const SCOPE = `view_products:${PROJECT}`;
const grants: [string, (oauth: OAuthClient, refreshToken: string) => Promise<unknown>][] = [
  ['client_credentials', (oauth) => oauth.clientCredentials(SCOPE)],
  ['password', (oauth) => oauth.password({ email: 'alice@example.com', password: 'alice-Passw0rd!' }, SCOPE)],
  ['anonymous', (oauth) => oauth.anonymous(SCOPE)],
  ['refresh_token', (oauth, refreshToken) => oauth.refresh(refreshToken)],
];

const refusals: [number, () => Response][] = [
  [400, () => json({ error: 'invalid_grant', error_description: 'The refresh token was not found.' }, 400)],
  [401, () => json({ error: 'invalid_client', error_description: 'Please provide valid client credentials.' }, 401)],
  [
    403,
    () =>
      new Response('<html><body>Request blocked by the web application firewall</body></html>', {
        status: 403,
        headers: { 'content-type': 'text/html' },
      }),
  ],
  [403, () => json({ error: 'access_denied' }, 403)],
  [404, () => new Response('Not Found', { status: 404 })],
];

const transient = [408, 425, 429, 500, 502, 503, 504];

/** The test services, with a refresh token of alice's for the refresh_token flow (granted outside `calls`). */
async function services(options: Parameters<typeof createTestServices>[0] = {}) {
  const created = createTestServices(options);
  const { refresh_token } = await created.platform.grant(`/oauth/${PROJECT}/customers/token`, {
    grant_type: 'password',
    username: 'alice@example.com',
    password: 'alice-Passw0rd!',
    scope: SCOPE,
  });
  return { ...created, refreshToken: refresh_token! };
}

describe('auth retries', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe.each(grants)('on the %s flow', (_flow, grant) => {
    it.each(refusals)('should send a grant answered %i once, never again', async (_status, answer) => {
      const sleeps: number[] = [];
      const { platform, oauth, logger, refreshToken } = await services({
        retry: { maxRetries: 5 },
        sleep: async (ms) => void sleeps.push(ms),
      });
      platform.on(() => answer());
      const error = await grant(oauth, refreshToken).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpError);
      expect(platform.calls).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect(logger.events('ctp.auth.retry')).toEqual([]);
    });

    it.each(transient)(
      'should retry a grant answered %i, at most maxRetries times, each wait within maxDelayMs',
      async (status) => {
        const sleeps: number[] = [];
        // random 1: the largest wait full jitter can draw; 300 ms caps the second one (200 * 2^1 = 400).
        const { platform, oauth, refreshToken } = await services({
          retry: { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 300 },
          random: () => 1,
          sleep: async (ms) => void sleeps.push(ms),
        });
        platform.on(() => new Response('try again', { status }));
        const error = (await grant(oauth, refreshToken).catch((e: unknown) => e)) as CtpError & { attempts?: number };
        expect(error.code).toBe(CtpErrorCode.AuthUnavailable);
        expect(error.attempts).toBe(3);
        expect(platform.calls).toHaveLength(3);
        expect(sleeps).toEqual([200, 300]);
      },
    );

    it('should retry a network failure and then succeed', async () => {
      const sleeps: number[] = [];
      const { platform, oauth, refreshToken } = await services({ sleep: async (ms) => void sleeps.push(ms) });
      let n = 0;
      platform.on(() => {
        n += 1;
        if (n <= 2) throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
        return undefined;
      });
      await expect(grant(oauth, refreshToken)).resolves.toBeDefined();
      expect(platform.calls).toHaveLength(3);
      expect(sleeps).toHaveLength(2);
    });

    it('should stop a network failure after maxRetries', async () => {
      const { platform, oauth, refreshToken } = await services({ retry: { maxRetries: 1 } });
      platform.on(() => {
        throw new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') });
      });
      await expect(grant(oauth, refreshToken)).rejects.toMatchObject({ code: CtpErrorCode.AuthNetwork, attempts: 2 });
      expect(platform.calls).toHaveLength(2);
    });
  });

  describe('with maxRetries 0', () => {
    it('should send a 503 once', async () => {
      const { platform, oauth } = await services({ retry: { maxRetries: 0 } });
      platform.on(() => new Response('', { status: 503 }));
      await expect(oauth.clientCredentials(SCOPE)).rejects.toMatchObject({
        code: CtpErrorCode.AuthUnavailable,
        attempts: 1,
      });
      expect(platform.calls).toHaveLength(1);
    });
  });

  describe('when the auth host hangs, with the default options', () => {
    it('should give up within about 10 s in all, the retries and their worst-case waits included, naming authTimeoutMs', async () => {
      vi.useFakeTimers();
      // The defaults (no authTimeoutMs, no retry), real timer sleeps, and the longest jitter.
      const { platform, oauth } = await services({ sleep: timerSleep, random: () => 1 });
      // A fetch that ignores its abort signal: the transport alone must end each wait.
      platform.on(() => new Promise<Response>(() => undefined));
      const started = Date.now();
      let settledAt: number | undefined;
      const pending = oauth
        .password({ email: 'alice@example.com', password: 'alice-Passw0rd!' }, SCOPE)
        .catch((e: unknown) => {
          settledAt = Date.now();
          return e;
        });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(settledAt).toBeDefined();
      const error = (await pending) as CtpError & { attempts: number };
      expect(error.code).toBe(CtpErrorCode.AuthTimeout);
      expect(error.attempts).toBe(DEFAULT_RETRY_POLICY.maxRetries + 1);
      expect(settledAt! - started).toBeLessThanOrEqual(10_000);
      expect(error.message).toContain('authTimeoutMs');
      expect(error.message).not.toMatch(/\btimeoutMs\b/);
    });
  });
});
