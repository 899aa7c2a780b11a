import { CtpOAuthError } from '../errors/CtpOAuthError';

/** The flow of an external session's refresh (the app's callback, not the auth server). */
export const EXTERNAL_REFRESH_FLOW = 'external_refresh';

/**
 * True only when the refresh token is refused for good: a 400 `invalid_grant` (RFC 6749 5.2), or the
 * app's external refresh saying so (ExternalSignIn). Anything else (a proxy's 403/404, 5xx, a refused API
 * client, a timeout) is transient: ending sessions on it would sign shoppers, with Redis a whole fleet, out.
 */
export function isRefreshRefused(error: unknown): error is CtpOAuthError {
  return (
    error instanceof CtpOAuthError &&
    error.error === 'invalid_grant' &&
    (error.status === 400 || error.flow === EXTERNAL_REFRESH_FLOW)
  );
}
