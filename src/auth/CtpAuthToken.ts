import { readStoredSession, type StoredScopeSets } from './StoredSession';
import { isScopeList, MAX_EPOCH_MS, storedTokenProblem } from './storedTokenProblem';
import { isAccessTokenSyntax, MAX_EXPIRES_IN_SECONDS } from './tokenSyntax';

/**
 * A shopper's token as kept in the app's session: plain JSON, so any session store can hold it.
 * The refresh token is the one from the original grant; commercetools never rotates it.
 */
export interface CtpAuthToken {
  readonly kind: 'anonymous' | 'customer';
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch ms when it was granted or last refreshed; with expiresAt gives the lifetime. */
  readonly issuedAt: number;
  /** Epoch ms, from `expires_in`. */
  readonly expiresAt: number;
  /**
   * Granted scopes without the identity entry. Empty only when `scopesFingerprint` is set.
   * Every session of a configured scope set shares the ScopeRegistry's frozen array.
   */
  readonly scopes: readonly string[];
  /**
   * Set (with `scopes` empty) only on a session read back from a store with the fingerprint of a
   * scope set the registry does not hold (its configuration changed since): the next refresh
   * checks the granted scopes against this fingerprint, then holds the list again.
   */
  readonly scopesFingerprint?: string;
  readonly customerId?: string;
  readonly anonymousId?: string;
  /** Set for a customer of a Store (in-store sign-in). */
  readonly storeKey?: string;
  /**
   * Set on a session signed in at the app's identity provider (ctpSession.loginExternal): the access
   * token is the provider's, renewed by the app's `refresh` and never revoked at commercetools, and
   * `refreshToken` is no token but the session's lineage id, made by the library (`external:{uuid}`).
   */
  readonly external?: true;
}

/** A process-wide token (integration, guest): no refresh token, renewed by a new grant. */
export interface SharedToken {
  readonly accessToken: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
}

/** Checks a value read back from a session store, which may be stale, foreign or corrupted. */
export function isCtpAuthToken(value: unknown): value is CtpAuthToken {
  return storedTokenProblem(value) === undefined;
}

/**
 * Validates what a session storage returned, in either stored format (today's compact one, see
 * StoredSession, or the full CtpAuthToken of earlier versions): `undefined` (or `null`) means
 * nothing is stored; a valid token is returned; anything else throws, so a custom storage's
 * garbage never reaches the API as `Bearer undefined` or a header with a CR/LF in it. `registry`
 * (the library's ScopeRegistry) resolves a stored scope-set fingerprint to its list.
 *
 * @throws CtpSessionError CTP_STORED_TOKEN_INVALID, with `.field` naming the first bad field (never its value).
 */
export function parseStoredToken(value: unknown, registry?: StoredScopeSets): CtpAuthToken | undefined {
  return readStoredSession(value, registry);
}

/** Checks a shared (integration, guest) token read back from a cache such as Redis: same token and time rules as a session token. */
export function isSharedToken(value: unknown): value is SharedToken {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const issuedAt = v['issuedAt'];
  const expiresAt = v['expiresAt'];
  const scopes = v['scopes'];
  return (
    isAccessTokenSyntax(v['accessToken']) &&
    typeof issuedAt === 'number' &&
    Number.isFinite(issuedAt) &&
    issuedAt >= 0 &&
    issuedAt <= MAX_EPOCH_MS &&
    typeof expiresAt === 'number' &&
    Number.isFinite(expiresAt) &&
    expiresAt > issuedAt &&
    expiresAt - issuedAt <= MAX_EXPIRES_IN_SECONDS * 1000 &&
    isScopeList(scopes)
  );
}
