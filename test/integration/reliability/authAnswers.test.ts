import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { isRefreshRefused } from '../../../src/auth/isRefreshRefused';
import { MAX_AUTH_ANSWER_BYTES } from '../../../src/auth/readCappedText';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import type { AuthAnswerFault, Fault } from '../../support/strict/StrictCommercetools';
import { createStrictHarness, STRICT_CLIENT, type StrictHarness } from '../../support/strict/createStrictHarness';
import { RecordingServer } from '../../support/strict/RecordingServer';
import { storedToken } from '../../support/session/storedToken';

const HOUR = 3_600_000;
let h: StrictHarness;
let other: RecordingServer | undefined;

afterEach(async () => {
  await h?.stop();
  await other?.stop();
  other = undefined;
});

/** A signed-in customer whose access token has expired, so the next customerApiRoot() refreshes. */
async function expiredCustomerSession(): Promise<{ storage: MemorySessionStorage; before: CtpAuthToken }> {
  const storage = new MemorySessionStorage('s');
  await runWithCtpSession(storage, () => h.session.login(h.customer.email, h.customer.password));
  h.clock.advance(HOUR);
  return { storage, before: (await storedToken(storage))! };
}

describe('hostile and broken auth answers (strict server, real HTTP)', () => {
  describe('when a refresh is answered by something other than invalid_grant', () => {
    it.each<[string, Fault | AuthAnswerFault]>([
      ['a WAF 403 HTML page', { kind: 'page', status: 403 }],
      ['a proxy 404 HTML page', { kind: 'page', status: 404 }],
      ['a 408 HTML page', { kind: 'page', status: 408 }],
      ['425 Too Early', { kind: 'status', status: 425, body: '' }],
      ['429', { kind: 'status', status: 429 }],
      ['500', { kind: 'status', status: 500 }],
      ['an HTML 502', { kind: 'html502' }],
      ['503', { kind: 'status', status: 503 }],
    ])('should not call %s refused, and the session should keep its token', async (_name, fault) => {
      h = await createStrictHarness({ retry: { maxRetries: 0 } });
      const { storage, before } = await expiredCustomerSession();
      h.server.failFlow('refresh_token', fault);
      const error = await runWithCtpSession(storage, () => h.client.customerApiRoot()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: expect.not.stringMatching(CtpErrorCode.SessionExpired) as unknown });
      expect(isRefreshRefused(error)).toBe(false);
      expect(await storedToken(storage)).toEqual(before);
      // The fault passed: the same refresh token still works.
      await runWithCtpSession(storage, () => h.client.customerApiRoot());
      expect((await storedToken(storage))?.refreshToken).toBe(before.refreshToken);
      expect(h.server.refreshesBySession.get(before.refreshToken)).toBe(1);
    });

    it('should call only a real 400 invalid_grant refused', async () => {
      h = await createStrictHarness();
      const { before } = await expiredCustomerSession();
      h.server.evictRefreshToken(before.refreshToken);
      const error = await h.oauth.refresh(before.refreshToken).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 400, error: 'invalid_grant' });
      expect(isRefreshRefused(error)).toBe(true);
    });
  });

  describe.each([307, 308] as const)('when the password grant is answered with a %i to another origin', (status) => {
    it('should refuse the redirect and never send the password there', async () => {
      h = await createStrictHarness();
      other = await new RecordingServer().start();
      h.server.failFlow('password', { kind: 'redirect', status, location: `${other.url}/oauth/steal` });
      const storage = new MemorySessionStorage('s');
      const error = await runWithCtpSession(storage, () =>
        h.session.login(h.customer.email, h.customer.password),
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.RedirectRefused, host: 'auth', flow: 'password', status });
      expect(other.requests).toEqual([]);
      expect(h.server.flowRequests.password).toBe(1);
      expect((await storedToken(storage))?.kind).not.toBe('customer');
    });
  });

  describe('when a refresh is answered with a redirect', () => {
    it('should not follow it, send the refresh token nowhere else, and keep the session', async () => {
      h = await createStrictHarness();
      other = await new RecordingServer().start();
      const { storage, before } = await expiredCustomerSession();
      h.server.failFlow('refresh_token', { kind: 'redirect', status: 308, location: `${other.url}/oauth/token` });
      const error = await runWithCtpSession(storage, () => h.client.customerApiRoot()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.RedirectRefused });
      expect(isRefreshRefused(error)).toBe(false);
      expect(other.requests).toEqual([]);
      expect(await storedToken(storage)).toEqual(before);
    });
  });

  describe('when the answer is larger than the cap', () => {
    it.each([
      ['with Content-Length', true],
      ['chunked', false],
    ])(
      'should refuse a 5 MB token answer (%s) with CTP_ANSWER_TOO_LARGE, once, storing nothing',
      async (_name, declareLength) => {
        h = await createStrictHarness();
        h.server.failFlow('anonymous', { kind: 'oversized', bytes: 5 * 1024 * 1024, declareLength });
        const storage = new MemorySessionStorage('s');
        const error = await runWithCtpSession(storage, () => h.session.ensureAnonymous()).catch((e: unknown) => e);
        expect(error).toMatchObject({
          code: CtpErrorCode.AnswerTooLarge,
          limitBytes: MAX_AUTH_ANSWER_BYTES,
          flow: 'anonymous',
        });
        expect(h.server.flowRequests.anonymous).toBe(1);
        expect(h.sleeps).toEqual([]);
        expect(await storedToken(storage)).toBeUndefined();
      },
    );
  });

  describe('when the answer is a gzip bomb', () => {
    it('should stop reading at the cap: 1.2 MB of gzip that inflates to 1.2 GiB costs neither the memory nor the whole download', async () => {
      h = await createStrictHarness();
      h.server.failFlow('client_credentials', { kind: 'gzipBomb', members: 1200 });
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const error = await h.client.integrationApiRoot().catch((e: unknown) => e);
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      expect(error).toMatchObject({ code: CtpErrorCode.AnswerTooLarge, flow: 'client_credentials' });
      expect(h.server.flowRequests.client_credentials).toBe(1);
      // Let the server notice the closed socket.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const bomb = h.server.lastGzipBomb!;
      expect(bomb.completed).toBe(false);
      // Socket buffers let some members through; far from all 1200 (1.2 MB).
      expect(bomb.bytesSent).toBeLessThan(600 * 1024);
      expect(rssGrowth).toBeLessThan(100 * 1024 * 1024);
    });
  });

  describe('when a token in the answer is malformed', () => {
    it.each<[string, (a: Record<string, unknown>) => Record<string, unknown>, string]>([
      [
        'an access token with CR/LF',
        (a) => ({ ...a, access_token: `${String(a['access_token'])}\r\nX-Injected: 1` }),
        'access_token',
      ],
      ['an access token of 5000 characters', (a) => ({ ...a, access_token: 'a'.repeat(5000) }), 'access_token'],
      [
        'a refresh token with a space',
        (a) => ({ ...a, refresh_token: `${String(a['refresh_token'])} x` }),
        'refresh_token',
      ],
      ['expires_in 1e308', (a) => ({ ...a, expires_in: 1e308 }), 'expires_in'],
      ['expires_in 0', (a) => ({ ...a, expires_in: 0 }), 'expires_in'],
    ])('should refuse %s with CTP_TOKEN_RESPONSE_INVALID and store nothing', async (_name, patch, field) => {
      h = await createStrictHarness();
      h.server.failFlow('password', { kind: 'patchAnswer', patch });
      const storage = new MemorySessionStorage('s');
      const error = await runWithCtpSession(storage, () =>
        h.session.login(h.customer.email, h.customer.password),
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.TokenResponseInvalid, field });
      expect((await storedToken(storage))?.kind).not.toBe('customer');
    });
  });

  describe('when a refresh answer names another customer', () => {
    it('should reject it with CTP_TOKEN_IDENTITY_MISMATCH and keep the session as it was', async () => {
      h = await createStrictHarness();
      const mallory = h.server.addCustomer('mallory@example.com', 'Mallory-Pa55');
      const { storage, before } = await expiredCustomerSession();
      h.server.failFlow('refresh_token', {
        kind: 'patchAnswer',
        patch: (a) => ({ ...a, scope: String(a['scope']).replace(/customer_id:\S+/, `customer_id:${mallory}`) }),
      });
      const error = await runWithCtpSession(storage, () => h.client.customerApiRoot()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.TokenIdentityMismatch });
      expect(isRefreshRefused(error)).toBe(false);
      expect(await storedToken(storage)).toEqual(before);
      expect(String((error as Error).message)).not.toContain(mallory);
    });
  });

  describe('when the answer echoes the client secret and the password in encoded forms', () => {
    it('should keep them out of every field and rendering', async () => {
      h = await createStrictHarness();
      const echo = `${encodeURIComponent(STRICT_CLIENT.secret)} ${new URLSearchParams({ p: h.customer.password }).toString()}`;
      h.server.failFlow('password', {
        kind: 'status',
        status: 400,
        body: JSON.stringify({ error: `invalid_request ${h.customer.password}`, error_description: echo }),
      });
      const error = await runWithCtpSession(new MemorySessionStorage('s'), () =>
        h.session.login(h.customer.email, h.customer.password),
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: CtpErrorCode.AuthRejected,
        error: 'invalid_request [redacted]',
        errorDescription: '[redacted] p=[redacted]',
      });
    });
  });

  describe('when the auth host echoes the tokens it holds or was sent', () => {
    /** Every way an app may print an error, down its cause chain. */
    function renderings(error: unknown): string[] {
      const texts: string[] = [];
      for (
        let e = error as (Error & { cause?: unknown }) | undefined, depth = 0;
        e !== undefined && e !== null && depth < 5;
        e = e.cause as typeof e, depth += 1
      ) {
        texts.push(
          String(e.message),
          String(e),
          JSON.stringify(e) ?? '',
          inspect(e, { depth: 8 }),
          inspect(e, { showHidden: true, depth: null }),
          String(e.stack),
        );
      }
      return texts;
    }

    /** The refresh token and access token of the session, the client secret, each also URL-encoded. */
    const echoOf = (before: CtpAuthToken) =>
      [before.refreshToken, before.accessToken, STRICT_CLIENT.secret]
        .flatMap((s) => [s, encodeURIComponent(s)])
        .join(' ');

    it.each<[string, (echo: string) => Fault | AuthAnswerFault]>([
      ['`error` alone', (echo) => ({ kind: 'status', status: 400, body: JSON.stringify({ error: echo }) })],
      [
        '`error` and `error_description`',
        (echo) => ({
          kind: 'status',
          status: 400,
          body: JSON.stringify({ error: `invalid_grant ${echo}`, error_description: echo, message: echo }),
        }),
      ],
      [
        'errors[0].code and message',
        (echo) => ({
          kind: 'status',
          status: 400,
          body: JSON.stringify({ statusCode: 400, errors: [{ code: echo, message: echo }] }),
        }),
      ],
      [
        'a non-JSON 400 body',
        (echo) => ({
          kind: 'status',
          status: 400,
          body: `bad request: ${echo}`,
          headers: { 'content-type': 'text/plain' },
        }),
      ],
      [
        'a non-JSON 503 body',
        (echo) => ({
          kind: 'status',
          status: 503,
          body: `<html>${echo}</html>`,
          headers: { 'content-type': 'text/html' },
        }),
      ],
      [
        'the granted scope of a 200 answer',
        (echo) => ({ kind: 'patchAnswer', patch: (a) => ({ ...a, scope: `${String(a['scope'])} ${echo}` }) }),
      ],
    ])('should keep them out of every rendering of the refresh error (echoed in %s)', async (_name, fault) => {
      h = await createStrictHarness({ retry: { maxRetries: 0 } });
      const { storage, before } = await expiredCustomerSession();
      h.server.failFlow('refresh_token', fault(echoOf(before)));
      const error = await runWithCtpSession(storage, () => h.client.customerApiRoot()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const secrets = [before.refreshToken, before.accessToken, STRICT_CLIENT.secret];
      for (const text of [...renderings(error), h.logger.text()]) {
        for (const secret of secrets)
          expect(text.includes(secret), `a token leaked into: ${text.slice(0, 300)}`).toBe(false);
      }
    });

    it('should keep them out of a revocation error', async () => {
      h = await createStrictHarness({ retry: { maxRetries: 0 } });
      const { before } = await expiredCustomerSession();
      const echo = echoOf(before);
      h.server.failFlow('revoke', {
        kind: 'status',
        status: 400,
        body: JSON.stringify({ error: echo, error_description: echo }),
      });
      const error = await h.oauth.revoke(before.refreshToken, 'refresh_token').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: CtpErrorCode.AuthRejected });
      for (const text of renderings(error)) {
        for (const secret of [before.refreshToken, STRICT_CLIENT.secret])
          expect(text.includes(secret), `a token leaked into: ${text.slice(0, 300)}`).toBe(false);
      }
    });
  });

  describe.each(['plain', 'asked', 'both'] as const)(
    'when an in-store grant is answered with the %s form of the Store scopes',
    (form) => {
      it("should sign the customer in, refresh, and call the Store's /me", async () => {
        h = await createStrictHarness();
        h.server.storeScopeAnswer = form;
        h.server.addCustomer('erin@example.com', 'Erin-Pa55word!', 'eu');
        const storage = new MemorySessionStorage('s');
        const token = await runWithCtpSession(storage, () =>
          h.session.login('erin@example.com', 'Erin-Pa55word!', { storeKey: 'eu' }),
        );
        const forms = {
          plain: [`manage_my_profile:${h.server.projectKey}`],
          asked: [`manage_my_profile:${h.server.projectKey}:eu`],
          both: [`manage_my_profile:${h.server.projectKey}`, `manage_my_profile:${h.server.projectKey}:eu`],
        }[form];
        expect(token.scopes.filter((s) => s.startsWith('manage_my_profile:'))).toEqual(forms);
        h.clock.advance(HOUR);
        const me = await runWithCtpSession(storage, async () =>
          (await h.client.customerApiRoot()).inStoreKeyWithStoreKeyValue({ storeKey: 'eu' }).me().get().execute(),
        );
        expect(me.body).toMatchObject({ email: 'erin@example.com' });
        expect(h.server.grants.refresh_token).toBe(1);
        expect((await storedToken(storage))?.storeKey).toBe('eu');
      });
    },
  );
});
