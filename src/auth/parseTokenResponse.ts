import { CtpTokenResponseError } from '../errors/CtpTokenResponseError';
import type { AuthAnswer } from './AuthTransport';
import { oauthErrorFromResponse } from './oauthErrorFromResponse';
import {
  isAccessTokenSyntax,
  isRefreshTokenSyntax,
  isSaneExpiresIn,
  MAX_EXPIRES_IN_SECONDS,
  MAX_TOKEN_LENGTH,
  MIN_EXPIRES_IN_SECONDS,
} from './tokenSyntax';
import type { TokenFlow, TokenResponse } from './TokenResponse';

export interface ParseTokenOptions {
  flow: TokenFlow;
  /** Values this request sent that must never appear in an error. */
  secrets: readonly (string | undefined)[];
  requestedScope?: string | undefined;
  /** Password and anonymous grants must return a refresh token; refresh and client credentials do not. */
  requireRefreshToken: boolean;
}

/**
 * Checks a token answer as untrusted input, in order: status (an OAuth error body becomes a typed
 * error), JSON, top-level object, access_token, token_type, expires_in, scope, refresh_token.
 */
export function parseTokenResponse(answer: AuthAnswer, options: ParseTokenOptions): TokenResponse {
  const { response, text } = answer;
  const { flow } = options;
  if (!response.ok) throw oauthErrorFromResponse(flow, answer, options.secrets, options.requestedScope);
  // Messages name the field and the rule, never the value: the value is the server's, and may be a token.
  const invalid = (field: string, what: string) =>
    new CtpTokenResponseError(
      field,
      `The auth server's ${flow} answer is invalid: ${what}. Nothing was stored; check CTP_AUTH_URL points at the commercetools auth host.`,
      { status: response.status, response },
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid('body', 'not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'not a JSON object');
  const record = body as Record<string, unknown>;

  const accessToken = record['access_token'];
  if (!isAccessTokenSyntax(accessToken))
    throw invalid(
      'access_token',
      `access_token must be a non-empty RFC 6750 token of at most ${MAX_TOKEN_LENGTH} characters (no space, CR or LF)`,
    );

  const tokenType = record['token_type'];
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')
    throw invalid('token_type', 'token_type must be "Bearer"');

  const rawExpiresIn = record['expires_in'];
  const expiresIn =
    typeof rawExpiresIn === 'string' && rawExpiresIn.trim() !== '' ? Number(rawExpiresIn) : rawExpiresIn;
  if (typeof expiresIn !== 'number' || !isSaneExpiresIn(expiresIn))
    throw invalid(
      'expires_in',
      `expires_in must be a number of seconds from ${MIN_EXPIRES_IN_SECONDS} to ${MAX_EXPIRES_IN_SECONDS}`,
    );

  const scope = record['scope'];
  if (typeof scope !== 'string' || scope.trim() === '')
    throw invalid('scope', 'scope is missing: commercetools always returns the granted scopes');

  const refreshToken = record['refresh_token'];
  if (refreshToken !== undefined && !isRefreshTokenSyntax(refreshToken))
    throw invalid(
      'refresh_token',
      `refresh_token must be a non-empty token of at most ${MAX_TOKEN_LENGTH} characters (no space, CR or LF)`,
    );
  if (options.requireRefreshToken && refreshToken === undefined)
    throw invalid('refresh_token', `refresh_token is missing: the ${flow} flow must return one`);

  return {
    accessToken,
    tokenType: 'bearer',
    expiresIn,
    scope,
    ...(typeof refreshToken === 'string' ? { refreshToken } : {}),
  };
}
