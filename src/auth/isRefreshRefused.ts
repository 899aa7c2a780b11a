import { CtpOAuthError } from '../errors/CtpOAuthError';

/** The flow of an external session's refresh (the app's callback, not the auth server). */
export const EXTERNAL_REFRESH_FLOW = 'external_refresh';

/**
 * True only when the auth server refused the refresh token for good: a 400 with the OAuth error
 * `invalid_grant` (RFC 6749 5.2; commercetools says it for an unknown, expired, evicted or revoked
 * token). Every other answer is transient for the session: a WAF's or proxy's 403/404 page, 408,
 * 425, 429, 5xx, a refused API client (a configuration fault, not the shopper's), an oversized or
 * redirected answer, a network error or timeout. Ending a session on those would sign shoppers out
 * (and, with Redis, the whole fleet) because of a proxy.
 */
export function isRefreshRefused(error: unknown): error is CtpOAuthError {
  // An external session's refresh (the app's callback) says so in its own flow: see ExternalSignIn.
  return (
    error instanceof CtpOAuthError &&
    error.error === 'invalid_grant' &&
    (error.status === 400 || error.flow === EXTERNAL_REFRESH_FLOW)
  );
}
