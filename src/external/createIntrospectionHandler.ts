import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CtpConfigError } from '../errors/CtpConfigError';
import { isSharedDataScope, renderScope } from '../scopes/scopeString';
import { scopeSetProblems } from '../scopes/knownScopes';
import { DEFAULT_SCOPE_SETS } from '../scopes/defaultScopeSets';
import { systemClock, type Clock } from '../util/Clock';
import { silentLogger, type Logger } from '../util/Logger';
import { TokenIntrospector, type ExternalIdentity } from './TokenIntrospector';

export type { ExternalIdentity } from './TokenIntrospector';

/** The options of createIntrospectionHandler. */
export interface IntrospectionHandlerOptions {
  projectKey: string;
  /** The Authorization header commercetools sends: the project's `externalOAuth.authorizationHeader`, exactly. */
  authorization: string;
  /**
   * Checks a token of the shop's identity provider (signature, issuer, audience, expiry) and says
   * whose it is, or undefined when it is not valid. `signal` aborts when the budget passes.
   */
  verify(token: string, signal: AbortSignal): Promise<ExternalIdentity | undefined | null>;
  /** The scope names the shopper's token holds (default: the library's `customer` set). */
  scopes?: readonly string[];
  /** How long verify() may take before the answer is `active: false` (default 400 ms; commercetools waits 500 ms with latency). */
  budgetMs?: number;
  logger?: Logger;
  clock?: Clock;
}

/** A Node request handler, usable as Express middleware or route handler. */
export type IntrospectionHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** A form with one token: a provider's JWT is a few KiB at most. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * The RFC 7662 endpoint commercetools' External OAuth calls for a bearer token it did not issue
 * (the project's `externalOAuth.url`): `POST` with the form `token=...` and the configured
 * Authorization header. It answers `{ active: true, exp, scope }` with the shopper scopes and
 * `customer_id:{id}`, or `{ active: false }`; never an error for a token it cannot verify.
 *
 * @example
 * app.post('/ctp/introspect', createIntrospectionHandler({
 *   projectKey: config.projectKey,
 *   authorization: process.env.CTP_EXTERNAL_OAUTH_AUTHORIZATION!,
 *   verify: async (token, signal) => {
 *     const claims = await verifyIdToken(token, { signal }); // your provider's JWT check
 *     return claims && { customerId: claims.ctp_customer_id, expiresAt: new Date(claims.exp * 1000) };
 *   },
 * }));
 */
export function createIntrospectionHandler(options: IntrospectionHandlerOptions): IntrospectionHandler {
  const { projectKey, authorization } = options;
  const budgetMs = options.budgetMs ?? 400;
  const scopes = options.scopes ?? DEFAULT_SCOPE_SETS.customer.map((s) => (typeof s === 'string' ? s : s.name));
  const problems = [
    ...(typeof projectKey === 'string' && /^[a-z0-9_-]{2,256}$/.test(projectKey)
      ? []
      : ['projectKey must be the commercetools project key (lower-case letters, digits, - and _)']),
    ...(typeof authorization === 'string' && authorization.trim().length >= 16
      ? []
      : [
          'authorization must be the Authorization header set in the project\'s externalOAuth (at least 16 characters, e.g. "Bearer " and a long random secret)',
        ]),
    ...(typeof options.verify === 'function' ? [] : ['verify must be a function (token, signal) => identity']),
    ...(Number.isFinite(budgetMs) && budgetMs > 0 && budgetMs < 500
      ? []
      : ['budgetMs must be above 0 and below 500: commercetools waits 500 ms for the answer, latency included']),
    ...scopeSetProblems('scopes', scopes),
    ...(Array.isArray(scopes)
      ? scopes
          .filter((name) => typeof name === 'string' && isSharedDataScope(name))
          .map(
            (name) =>
              `scopes: ${name} reaches every shopper's data; a shopper's token holds its own data's scopes (manage_my_*) and public reads only`,
          )
      : []),
  ];
  if (problems.length > 0) throw new CtpConfigError(problems);
  const expected = digest(authorization);
  const introspector = new TokenIntrospector({
    verify: (token, signal) => options.verify(token, signal),
    scope: scopes.map((name) => renderScope(name, projectKey)).join(' '),
    budgetMs,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
  });

  return (request, response) => {
    void answer(request, introspector, expected).then(
      ([status, body]) => send(response, status, body),
      () => send(response, 500, { error: 'server_error' }),
    );
  };
}

async function answer(
  request: IncomingMessage,
  introspector: TokenIntrospector,
  expected: Buffer,
): Promise<[number, object]> {
  if (request.method !== 'POST')
    return [405, { error: 'invalid_request', error_description: 'POST the form token=...' }];
  // Compared as hashes in constant time: the header is the one secret between commercetools and this endpoint.
  if (!timingSafeEqual(digest(request.headers.authorization ?? ''), expected))
    return [401, { error: 'invalid_client' }];
  const form = await formOf(request);
  if (form === undefined) return [413, { error: 'invalid_request', error_description: 'The form is too large.' }];
  const token = form.get('token');
  if (token === null || token === '')
    return [400, { error: 'invalid_request', error_description: 'token is missing.' }];
  return [200, await introspector.introspect(token)];
}

/** Parsed already by a body parser (express.urlencoded), else read here within MAX_BODY_BYTES. */
async function formOf(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  const parsed = (request as IncomingMessage & { body?: unknown }).body;
  if (typeof parsed === 'string') return new URLSearchParams(parsed);
  const token = typeof parsed === 'object' && parsed !== null ? (parsed as { token?: unknown }).token : undefined;
  if (typeof token === 'string' || request.readableEnded)
    return new URLSearchParams(typeof token === 'string' ? { token } : {});
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function send(response: ServerResponse, status: number, body: object): void {
  if (response.headersSent) return;
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    // An answer about a token is never to be kept by a proxy.
    'cache-control': 'no-store',
    ...(status === 405 ? { allow: 'POST' } : {}),
  });
  response.end(json);
  // A form past the cap is not read to its end: close rather than keep a half-read connection.
  if (status === 413) response.once('finish', () => response.req?.destroy());
}
