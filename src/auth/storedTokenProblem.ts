import { SCOPE_FINGERPRINT } from '../scopes/scopeCatalog';
import { isAccessTokenSyntax, isRefreshTokenSyntax, MAX_EXPIRES_IN_SECONDS } from './tokenSyntax';

/** The largest time a Date can hold (epoch ms): anything beyond is not a clock reading. */
export const MAX_EPOCH_MS = 8.64e15;
/** Bounds on the other stored strings: ids are UUID-like, scopes `name:projectKey[:storeKey]`. */
export const MAX_ID_LENGTH = 256;
const MAX_SCOPES = 100;

/** 'issuedAt' or 'expiresAt' when that one is not a clock reading of a lifetime expires_in allows. */
export function lifetimeProblem(v: Record<string, unknown>): 'issuedAt' | 'expiresAt' | undefined {
  const issuedAt = v['issuedAt'];
  if (typeof issuedAt !== 'number' || !Number.isFinite(issuedAt) || issuedAt < 0 || issuedAt > MAX_EPOCH_MS)
    return 'issuedAt';
  const expiresAt = v['expiresAt'];
  // An injected clock may start anywhere, but no token lives a year.
  if (
    typeof expiresAt !== 'number' ||
    !Number.isFinite(expiresAt) ||
    expiresAt <= issuedAt ||
    expiresAt - issuedAt > MAX_EXPIRES_IN_SECONDS * 1000
  )
    return 'expiresAt';
  return undefined;
}

export function isScopeList(scopes: unknown): scopes is string[] {
  return (
    Array.isArray(scopes) &&
    scopes.length <= MAX_SCOPES &&
    scopes.every((s) => typeof s === 'string' && s !== '' && s.length <= MAX_ID_LENGTH && !/\s/.test(s))
  );
}

/**
 * The first field of a token that is not what TokenIssuer writes, or undefined when it is valid: the
 * rules of a token answer (charset, length, lifetime) plus the identity the kind needs.
 */
export function storedTokenProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'value';
  const v = value as Record<string, unknown>;
  if (v['kind'] !== 'anonymous' && v['kind'] !== 'customer') return 'kind';
  if (!isAccessTokenSyntax(v['accessToken'])) return 'accessToken';
  if (!isRefreshTokenSyntax(v['refreshToken'])) return 'refreshToken';
  const lifetime = lifetimeProblem(v);
  if (lifetime !== undefined) return lifetime;
  if (!isScopeList(v['scopes'])) return 'scopes';
  const fingerprint = v['scopesFingerprint'];
  // Only a session whose list is unknown here carries its fingerprint, and then no list.
  if (
    fingerprint !== undefined &&
    (typeof fingerprint !== 'string' || !SCOPE_FINGERPRINT.test(fingerprint) || (v['scopes'] as unknown[]).length > 0)
  )
    return 'scopesFingerprint';
  for (const key of ['customerId', 'anonymousId', 'storeKey']) {
    const id = v[key];
    if (id !== undefined && (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH || /\s/.test(id)))
      return key;
  }
  // An external session is a customer's, always (loginExternal).
  if (v['external'] !== undefined && (v['external'] !== true || v['kind'] !== 'customer')) return 'external';
  // TokenIssuer never stores a session token without the identity that binds it to one shopper.
  if (v['kind'] === 'customer' && v['customerId'] === undefined) return 'customerId';
  if (v['kind'] === 'anonymous' && v['anonymousId'] === undefined) return 'anonymousId';
  return undefined;
}
