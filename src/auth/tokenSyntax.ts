/** A commercetools access token is 32 characters: 4096 fits any JWT yet keeps a 5 MB "token" out of every header. */
export const MAX_TOKEN_LENGTH = 4096;

/** Shortest lifetime accepted: below a second every call would grant anew. */
export const MIN_EXPIRES_IN_SECONDS = 1;
/** commercetools allows up to 7 days; 1e308 would make expiresAt Infinity. */
export const MAX_EXPIRES_IN_SECONDS = 365 * 24 * 3600;

/** RFC 6750 2.1 b64token: what may follow "Bearer " in an Authorization header. No space, CR or LF. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** A refresh token goes only into a form body, written `{projectKey}:{token}`: b64token plus ':'. */
const REFRESH_TOKEN = /^[A-Za-z0-9\-._~+/:]+=*$/;

export function isAccessTokenSyntax(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && B64TOKEN.test(value);
}

export function isRefreshTokenSyntax(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && REFRESH_TOKEN.test(value);
}

export function isSaneExpiresIn(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds >= MIN_EXPIRES_IN_SECONDS && seconds <= MAX_EXPIRES_IN_SECONDS;
}
