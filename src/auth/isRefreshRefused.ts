import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpOAuthError } from '../errors/CtpOAuthError';

/**
 * True when the auth server refused a refresh token for good (unknown, expired, evicted, revoked):
 * the session is over. A refused API client (invalid_client) is a configuration fault, not the
 * session's, and a 5xx is transient.
 */
export function isRefreshRefused(error: unknown): error is CtpOAuthError {
  return error instanceof CtpOAuthError && error.code !== CtpErrorCode.InvalidClient && error.status !== undefined && error.status < 500;
}
