import { describe, expect, it } from 'vitest';
import { AuthTransport, type FetchLike } from '../../../src/auth/AuthTransport';
import { basicAuthorization } from '../../../src/auth/basicAuthorization';
import { OAuthClient } from '../../../src/auth/OAuthClient';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpOAuthError } from '../../../src/errors/CtpOAuthError';
import { CtpTokenResponseError } from '../../../src/errors/CtpTokenResponseError';
import { CtpTelemetry } from '../../../src/telemetry/CtpTelemetry';
import type { OtelApi, OtelAttributes, OtelSpan } from '../../../src/telemetry/OtelApi';
import { silentLogger } from '../../../src/util/Logger';
import { AUTH_URL, CLIENT_ID, CLIENT_SECRET, json, oauthError, PROJECT } from '../../support/FakePlatform';
import { ManualClock } from '../../support/createTestServices';

// Guards found by mutation testing (bench/mutation.md, 8 December): the exact form bodies of revoke and
// introspect, what each flow redacts from the server's words, the refresh tokens it insists on, and its spans.

const AUTHORIZATION = basicAuthorization(CLIENT_ID, CLIENT_SECRET);
const SCOPE = `view_products:${PROJECT}`;

interface Sent {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: string;
}

/** An OAuthClient on a real AuthTransport whose fetch records each request and answers with `answer`. */
function oauthClient(answer: (sent: Sent) => Response, telemetry?: CtpTelemetry) {
  const sent: Sent[] = [];
  const fetch: FetchLike = (url, init) => {
    const call = {
      url,
      method: init.method,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : '',
    };
    sent.push(call);
    return Promise.resolve(answer(call));
  };
  const transport = new AuthTransport({
    authUrl: AUTH_URL,
    authorization: AUTHORIZATION,
    fetch: () => fetch,
    timeoutMs: 3_000,
    retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 },
    clock: new ManualClock(),
    sleep: () => Promise.resolve(),
    random: () => 0.5,
    logger: silentLogger,
  });
  const oauth = new OAuthClient(transport, PROJECT, [CLIENT_SECRET, AUTHORIZATION.slice('Basic '.length)], telemetry);
  return { oauth, sent };
}

function expectFormPost(sent: Sent | undefined, path: string, body: string) {
  expect(sent?.url).toBe(`${AUTH_URL}${path}`);
  expect(sent?.method).toBe('POST');
  expect(sent?.headers.get('authorization')).toBe(AUTHORIZATION);
  expect(sent?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
  expect(sent?.headers.get('accept')).toBe('application/json');
  expect(sent?.body).toBe(body);
}

const tokenAnswer = (extra: Record<string, unknown> = {}) =>
  json({ access_token: 'access-1234567890', token_type: 'Bearer', expires_in: 3600, scope: SCOPE, ...extra });

/** The error `promise` rejects with, as a CtpOAuthError. */
const oauthFailure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(CtpOAuthError);
      return error as CtpOAuthError;
    },
  );

describe('OAuthClient guards', () => {
  describe('.revoke', () => {
    it('should post only token and token_type_hint: revoking is no grant', async () => {
      const { oauth, sent } = oauthClient(() => new Response(null, { status: 200 }));
      await oauth.revoke('refresh-live-123456', 'refresh_token');
      expectFormPost(sent[0], '/oauth/token/revoke', 'token=refresh-live-123456&token_type_hint=refresh_token');
    });

    it('should refuse a non-2xx answer with the token and the client secret redacted from what is kept', async () => {
      const { oauth } = oauthClient(() =>
        oauthError(400, 'invalid_request', `cannot revoke access-live-123456 of ${CLIENT_SECRET}`),
      );
      const error = await oauthFailure(oauth.revoke('access-live-123456', 'access_token'));
      expect(error).toMatchObject({ code: CtpErrorCode.AuthRejected, status: 400, flow: 'revoke' });
      expect(error.errorDescription).toBe('cannot revoke [redacted] of [redacted]');
    });
  });

  describe('.introspect', () => {
    it('should post only the token and leave out a scope that is no string and an exp that is no number', async () => {
      const { oauth, sent } = oauthClient(() => json({ active: false, scope: 7, exp: 'soon' }));
      const result = await oauth.introspect('access-live-123456');
      expectFormPost(sent[0], '/oauth/introspect', 'token=access-live-123456');
      expect(result).toStrictEqual({ active: false });
    });

    it('should refuse an answer without a boolean active, keeping its status and Response', async () => {
      const answer = json({ active: 'yes' });
      const { oauth } = oauthClient(() => answer);
      const error = (await oauth.introspect('access-live-123456').catch((e: unknown) => e)) as CtpTokenResponseError;
      expect(error).toBeInstanceOf(CtpTokenResponseError);
      expect(error).toMatchObject({ code: CtpErrorCode.TokenResponseInvalid, field: 'active', status: 200 });
      expect(error.response).toBe(answer);
    });

    it('should refuse a non-2xx answer with the token redacted from what is kept', async () => {
      const { oauth } = oauthClient(() => oauthError(400, 'invalid_request', 'unknown token access-live-123456'));
      const error = await oauthFailure(oauth.introspect('access-live-123456'));
      expect(error).toMatchObject({ status: 400, flow: 'introspect', errorDescription: 'unknown token [redacted]' });
    });
  });

  describe('when a grant is refused and the server echoes what it was sent', () => {
    it('should redact the client secret on the client credentials flow', async () => {
      const { oauth } = oauthClient(() => oauthError(400, 'invalid_request', `client ${CLIENT_SECRET} refused`));
      const error = await oauthFailure(oauth.clientCredentials(SCOPE));
      expect(error.errorDescription).toBe('client [redacted] refused');
    });

    it('should redact the password on the password flow', async () => {
      const { oauth, sent } = oauthClient(() =>
        oauthError(400, 'invalid_request', 'password s3cret-Passw0rd! refused'),
      );
      const error = await oauthFailure(
        oauth.password({ email: 'bob@example.com', password: 's3cret-Passw0rd!' }, SCOPE),
      );
      expect(sent[0]?.url).toBe(`${AUTH_URL}/oauth/${PROJECT}/customers/token`);
      expect(error).toMatchObject({ flow: 'password', errorDescription: 'password [redacted] refused' });
    });

    it("should redact the refresh token and the session's held tokens on the refresh flow", async () => {
      const { oauth, sent } = oauthClient(() =>
        oauthError(400, 'invalid_grant', 'refresh-old-123456 does not belong to access-held-123456'),
      );
      const error = await oauthFailure(oauth.refresh('refresh-old-123456', ['access-held-123456']));
      expectFormPost(sent[0], '/oauth/token', 'refresh_token=refresh-old-123456&grant_type=refresh_token');
      expect(error).toMatchObject({
        flow: 'refresh_token',
        errorDescription: '[redacted] does not belong to [redacted]',
      });
    });
  });

  describe('when a session grant answers without a refresh token', () => {
    it.each<[string, (oauth: OAuthClient) => Promise<unknown>, string]>([
      [
        'password',
        (oauth) => oauth.password({ email: 'bob@example.com', password: 's3cret-Passw0rd!' }, SCOPE),
        `/oauth/${PROJECT}/customers/token`,
      ],
      ['anonymous', (oauth) => oauth.anonymous(SCOPE), `/oauth/${PROJECT}/anonymous/token`],
    ])('should refuse the %s answer: the session could never be renewed', async (_flow, grant, path) => {
      const { oauth, sent } = oauthClient(() => tokenAnswer());
      const error = (await grant(oauth).catch((e: unknown) => e)) as CtpTokenResponseError;
      expect(sent[0]?.url).toBe(`${AUTH_URL}${path}`);
      expect(error).toBeInstanceOf(CtpTokenResponseError);
      expect(error).toMatchObject({ code: CtpErrorCode.TokenResponseInvalid, field: 'refresh_token' });
    });
  });

  describe('.redact', () => {
    it('should redact the client secret and the values it is given', () => {
      const { oauth } = oauthClient(() => tokenAnswer());
      expect(oauth.redact(`a ${CLIENT_SECRET} b extra-secret-1`, ['extra-secret-1'])).toBe('a [redacted] b [redacted]');
    });
  });

  describe('with telemetry', () => {
    /** An OpenTelemetry API double that records each span's name and attributes and each duration's histogram. */
    function recordingTelemetry() {
      const spans: { name: string; attributes: OtelAttributes | undefined }[] = [];
      const durations: string[] = [];
      const span: OtelSpan = { setAttribute: () => undefined, setStatus: () => undefined, end: () => undefined };
      const api: OtelApi = {
        trace: {
          getTracer: () => ({
            startActiveSpan: <T>(name: string, options: { attributes?: OtelAttributes }, fn: (s: OtelSpan) => T) => {
              spans.push({ name, attributes: options.attributes });
              return fn(span);
            },
          }),
        },
        metrics: {
          getMeter: () => ({
            createHistogram: (name: string) => ({
              record: () => {
                durations.push(name);
              },
            }),
            createCounter: () => ({ add: () => undefined }),
          }),
        },
      };
      return { telemetry: new CtpTelemetry(api), spans, durations };
    }

    it('should trace a grant as ctp.auth.grant and a refresh as ctp.auth.refresh, each with its grant type and histogram', async () => {
      const { telemetry, spans, durations } = recordingTelemetry();
      const { oauth } = oauthClient(() => tokenAnswer({ refresh_token: 'refresh-new-123456' }), telemetry);
      await oauth.password({ email: 'bob@example.com', password: 's3cret-Passw0rd!' }, SCOPE);
      await oauth.refresh('refresh-new-123456');
      expect(spans).toEqual([
        { name: 'ctp.auth.grant', attributes: { 'ctp.grant_type': 'password' } },
        { name: 'ctp.auth.refresh', attributes: { 'ctp.grant_type': 'refresh_token' } },
      ]);
      expect(durations).toEqual(['ctp.auth.grant.duration', 'ctp.auth.refresh.duration']);
    });
  });
});
