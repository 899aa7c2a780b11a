import { isScopeList, lifetimeProblem, storedTokenProblem } from './storedTokenProblem';
import { isAccessTokenSyntax } from './tokenSyntax';

export { parseStoredToken } from './StoredSession';

/**
 * A shopper's token as kept in the app's session: plain JSON, so any session store can hold it.
 * The refresh token is the one from the original grant; commercetools never rotates it.
 */
export interface CtpAuthToken {
  readonly kind: 'anonymous' | 'customer';
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch ms when it was granted or last refreshed. */
  readonly issuedAt: number;
  /** Epoch ms, from `expires_in`. */
  readonly expiresAt: number;
  /** Granted scopes without the identity entry; empty only when `scopesFingerprint` is set. */
  readonly scopes: readonly string[];
  /** Read back with the fingerprint of a set this registry no longer holds: the next refresh checks against it. */
  readonly scopesFingerprint?: string;
  readonly customerId?: string;
  readonly anonymousId?: string;
  /** Set for a customer of a Store (in-store sign-in). */
  readonly storeKey?: string;
  /** Signed in at the app's identity provider (loginExternal): `refreshToken` is the lineage id `external:{uuid}`. */
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

/** Checks a shared (integration, guest) token read back from a cache such as Redis, by a session token's rules. */
export function isSharedToken(value: unknown): value is SharedToken {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return isAccessTokenSyntax(v['accessToken']) && lifetimeProblem(v) === undefined && isScopeList(v['scopes']);
}
