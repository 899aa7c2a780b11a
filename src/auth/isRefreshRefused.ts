import { CtpOAuthError } from '../errors/CtpOAuthError';

/**
 * True only when the auth server refused the refresh token for good: a 400 with the OAuth error
 * `invalid_grant` (RFC 6749 5.2; commercetools says it for an unknown, expired, evicted or revoked
 * token). Every other answer is transient for the session: a WAF's or proxy's 403/404 page, 408,
 * 425, 429, 5xx, a refused API client (a configuration fault, not the shopper's), an oversized or
 * redirected answer, a network error or timeout. Ending a session on those would sign shoppers out
 * (and, with Redis, the whole fleet) because of a proxy.
 */
export function isRefreshRefused(error: unknown): error is CtpOAuthError {
  return error instanceof CtpOAuthError && error.status === 400 && error.error === 'invalid_grant';
}
