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
  /** Granted scopes without the identity entry. */
  readonly scopes: readonly string[];
  readonly customerId?: string;
  readonly anonymousId?: string;
  /** Set for a customer of a Store (in-store sign-in). */
  readonly storeKey?: string;
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
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const optionalString = (key: string) => v[key] === undefined || typeof v[key] === 'string';
  return (
    (v['kind'] === 'anonymous' || v['kind'] === 'customer') &&
    typeof v['accessToken'] === 'string' &&
    v['accessToken'] !== '' &&
    typeof v['refreshToken'] === 'string' &&
    v['refreshToken'] !== '' &&
    typeof v['issuedAt'] === 'number' &&
    typeof v['expiresAt'] === 'number' &&
    Number.isFinite(v['expiresAt']) &&
    Array.isArray(v['scopes']) &&
    v['scopes'].every((s) => typeof s === 'string') &&
    optionalString('customerId') &&
    optionalString('anonymousId') &&
    optionalString('storeKey')
  );
}
