import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { isAccessTokenSyntax, isRefreshTokenSyntax, MAX_EXPIRES_IN_SECONDS } from './tokenSyntax';

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

/** The largest time a Date can hold (epoch ms): anything beyond is not a clock reading. */
const MAX_EPOCH_MS = 8.64e15;
/** Bounds on the other stored strings: ids are UUID-like, scopes `name:projectKey[:storeKey]`. */
const MAX_ID_LENGTH = 256;
const MAX_SCOPES = 100;

/**
 * The first field of a stored value that is not what TokenIssuer writes, or undefined when it is a
 * valid token. Same rules as a token answer (charset, length, lifetime) plus the identity the kind needs.
 */
function storedTokenProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'value';
  const v = value as Record<string, unknown>;
  if (v['kind'] !== 'anonymous' && v['kind'] !== 'customer') return 'kind';
  if (!isAccessTokenSyntax(v['accessToken'])) return 'accessToken';
  if (!isRefreshTokenSyntax(v['refreshToken'])) return 'refreshToken';
  const issuedAt = v['issuedAt'];
  if (typeof issuedAt !== 'number' || !Number.isFinite(issuedAt) || issuedAt < 0 || issuedAt > MAX_EPOCH_MS) return 'issuedAt';
  const expiresAt = v['expiresAt'];
  // The lifetime is bounded like expires_in: an injected clock may start anywhere, but no token lives a year.
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt <= issuedAt || expiresAt - issuedAt > MAX_EXPIRES_IN_SECONDS * 1000) return 'expiresAt';
  const scopes = v['scopes'];
  if (!Array.isArray(scopes) || scopes.length > MAX_SCOPES || !scopes.every((s) => typeof s === 'string' && s !== '' && s.length <= MAX_ID_LENGTH && !/\s/.test(s))) return 'scopes';
  for (const key of ['customerId', 'anonymousId', 'storeKey']) {
    const id = v[key];
    if (id !== undefined && (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH || /\s/.test(id))) return key;
  }
  // TokenIssuer never stores a session token without the identity that binds it to one shopper.
  if (v['kind'] === 'customer' && v['customerId'] === undefined) return 'customerId';
  if (v['kind'] === 'anonymous' && v['anonymousId'] === undefined) return 'anonymousId';
  return undefined;
}

/** Checks a value read back from a session store, which may be stale, foreign or corrupted. */
export function isCtpAuthToken(value: unknown): value is CtpAuthToken {
  return storedTokenProblem(value) === undefined;
}

/**
 * Validates what a session storage returned: `undefined` (or `null`) means nothing is stored; a valid
 * token is returned as it is; anything else throws, so a custom storage's garbage never reaches the
 * API as `Bearer undefined` or a header with a CR/LF in it.
 *
 * @throws CtpSessionError CTP_STORED_TOKEN_INVALID, with `.field` naming the first bad field (never its value).
 */
export function parseStoredToken(value: unknown): CtpAuthToken | undefined {
  if (value === undefined || value === null) return undefined;
  const field = storedTokenProblem(value);
  if (field === undefined) return value as CtpAuthToken;
  throw new CtpSessionError(
    CtpErrorCode.StoredTokenInvalid,
    'The session storage returned a value that is not a ctp-client token; check that the storage keeps what set() was given (JSON round-trip) and nothing else writes to its key.',
    { field },
  );
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
    typeof issuedAt === 'number' && Number.isFinite(issuedAt) && issuedAt >= 0 && issuedAt <= MAX_EPOCH_MS &&
    typeof expiresAt === 'number' && Number.isFinite(expiresAt) && expiresAt > issuedAt && expiresAt - issuedAt <= MAX_EXPIRES_IN_SECONDS * 1000 &&
    Array.isArray(scopes) && scopes.length <= MAX_SCOPES && scopes.every((s) => typeof s === 'string' && s !== '' && s.length <= MAX_ID_LENGTH && !/\s/.test(s))
  );
}
