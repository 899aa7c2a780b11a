import { CtpTokenResponseError } from '../errors/CtpTokenResponseError';
import type { AuthAnswer } from './AuthTransport';
import { oauthErrorFromResponse } from './oauthErrorFromResponse';
import type { TokenFlow, TokenResponse } from './TokenResponse';

export interface ParseTokenOptions {
  flow: TokenFlow;
  /** Values this request sent that must never appear in an error. */
  secrets: readonly (string | undefined)[];
  requestedScope?: string;
  /** Password and anonymous grants must return a refresh token; refresh and client credentials do not. */
  requireRefreshToken: boolean;
}

function invalid(field: string, what: string, response: Response, flow: TokenFlow): CtpTokenResponseError {
  return new CtpTokenResponseError(field, `The auth server's ${flow} answer is invalid: ${what}. Nothing was stored; check CTP_AUTH_URL points at the commercetools auth host.`, {
    status: response.status,
    response,
  });
}

/**
 * Checks a token answer as untrusted input, in order: status (an OAuth error body becomes a typed
 * error), JSON, top-level object, access_token, token_type, expires_in, scope, refresh_token.
 * Pure, so every case is testable without a server.
 */
export function parseTokenResponse({ response, text }: AuthAnswer, options: ParseTokenOptions): TokenResponse {
  const { flow } = options;
  if (!response.ok) {
    throw oauthErrorFromResponse(flow, response.status, text, options.secrets, options.requestedScope, response);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content-type';
    throw invalid('body', `not JSON (${type}, ${text.length} bytes)`, response, flow);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'not a JSON object', response, flow);
  const record = body as Record<string, unknown>;

  const accessToken = record['access_token'];
  if (typeof accessToken !== 'string' || accessToken.length === 0) throw invalid('access_token', 'access_token is missing or not a non-empty string', response, flow);

  const tokenType = record['token_type'];
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') throw invalid('token_type', `token_type must be "Bearer", got ${typeof tokenType === 'string' ? JSON.stringify(tokenType.slice(0, 20)) : typeof tokenType}`, response, flow);

  const rawExpiresIn = record['expires_in'];
  const expiresIn = typeof rawExpiresIn === 'string' && rawExpiresIn.trim() !== '' ? Number(rawExpiresIn) : rawExpiresIn;
  // 0 would be a token that is already expired: every call would grant anew.
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) throw invalid('expires_in', 'expires_in must be a positive number of seconds', response, flow);

  const scope = record['scope'];
  if (typeof scope !== 'string' || scope.trim() === '') throw invalid('scope', 'scope is missing: commercetools always returns the granted scopes', response, flow);

  const refreshToken = record['refresh_token'];
  if (refreshToken !== undefined && (typeof refreshToken !== 'string' || refreshToken.length === 0)) throw invalid('refresh_token', 'refresh_token is not a non-empty string', response, flow);
  if (options.requireRefreshToken && refreshToken === undefined) throw invalid('refresh_token', `refresh_token is missing: the ${flow} flow must return one`, response, flow);

  return {
    accessToken,
    tokenType: 'bearer',
    expiresIn,
    scope,
    ...(typeof refreshToken === 'string' ? { refreshToken } : {}),
  };
}
