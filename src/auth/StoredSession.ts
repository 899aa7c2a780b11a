import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { internScopes, registeredFingerprint, SCOPE_FINGERPRINT, scopesOfFingerprint } from '../scopes/scopeCatalog';
import type { CtpAuthToken } from './CtpAuthToken';
import { storedTokenProblem } from './storedTokenProblem';

/**
 * A session token as a session store keeps it (format 2): short field names, and the scopes as the
 * fingerprint of their configured set instead of the list when this process knows the set. About
 * 220 B of JSON for a customer with the default set, against 661 B for the full CtpAuthToken, which
 * stores still written in that format (format 1) hold and which is still read.
 */
export interface StoredSession {
  /** Format version. */
  readonly v: 2;
  /** `c` customer, `a` anonymous. */
  readonly k: 'c' | 'a';
  readonly a: string;
  readonly r: string;
  /** issuedAt, epoch ms. */
  readonly i: number;
  /** expiresAt, epoch ms. */
  readonly e: number;
  /** The scopes: a registered set's fingerprint (see scopeCatalog), or the list itself. */
  readonly s: string | readonly string[];
  readonly c?: string;
  readonly n?: string;
  /** storeKey */
  readonly t?: string;
}

/** The compact form of `token`, for a store that serialises (Redis, express-session, a database). */
export function toStoredSession(token: CtpAuthToken): StoredSession {
  const fingerprint = token.scopesFingerprint ?? registeredFingerprint(internScopes(token.scopes));
  return {
    v: 2,
    k: token.kind === 'customer' ? 'c' : 'a',
    a: token.accessToken,
    r: token.refreshToken,
    i: token.issuedAt,
    e: token.expiresAt,
    s: fingerprint ?? [...token.scopes],
    ...(token.customerId === undefined ? {} : { c: token.customerId }),
    ...(token.anonymousId === undefined ? {} : { n: token.anonymousId }),
    ...(token.storeKey === undefined ? {} : { t: token.storeKey }),
  };
}

export function isStoredSession(value: unknown): value is StoredSession {
  return typeof value === 'object' && value !== null && (value as { v?: unknown }).v === 2;
}

/**
 * A stored value of either format as a token, or the name of its first bad field. A fingerprint
 * this process knows becomes its set's shared list; an unknown one (the set was changed by
 * configuration since the session was stored) becomes no list plus `scopesFingerprint`, which the
 * next refresh checks the granted scopes against (TokenIssuer).
 */
export function decodeStoredSession(value: unknown): { token: CtpAuthToken } | { field: string } {
  if (!isStoredSession(value)) {
    // Today's format (1), read as it always was: the same object, so a store that keeps objects
    // (MemorySessionStorage) is checked once per object.
    const field = storedTokenProblem(value);
    return field === undefined ? { token: value as CtpAuthToken } : { field };
  }
  const v = value as unknown as Record<string, unknown>;
  const s = v['s'];
  let scopes: unknown = s;
  let scopesFingerprint: string | undefined;
  if (typeof s === 'string') {
    if (!SCOPE_FINGERPRINT.test(s)) return { field: 'scopes' };
    scopes = scopesOfFingerprint(s);
    if (scopes === undefined) {
      scopes = NO_SCOPES;
      scopesFingerprint = s;
    }
  } else if (Array.isArray(s)) {
    scopes = internScopes(s as string[]);
  }
  const k = v['k'];
  const token = {
    kind: k === 'c' ? 'customer' : k === 'a' ? 'anonymous' : k,
    accessToken: v['a'],
    refreshToken: v['r'],
    issuedAt: v['i'],
    expiresAt: v['e'],
    scopes,
    ...(scopesFingerprint === undefined ? {} : { scopesFingerprint }),
    ...(v['c'] === undefined ? {} : { customerId: v['c'] }),
    ...(v['n'] === undefined ? {} : { anonymousId: v['n'] }),
    ...(v['t'] === undefined ? {} : { storeKey: v['t'] }),
  };
  const field = storedTokenProblem(token);
  if (field !== undefined) return { field };
  return { token: Object.freeze(token) as CtpAuthToken };
}

const NO_SCOPES: readonly string[] = Object.freeze([]);

/**
 * Reads a stored value of either format: undefined (or null) is no session; a valid token is
 * returned (a format-1 value as it is, a format-2 value decoded); anything else throws.
 *
 * @throws CtpSessionError CTP_STORED_TOKEN_INVALID, with `.field` naming the first bad field (never its value).
 */
export function readStoredSession(value: unknown): CtpAuthToken | undefined {
  if (value === undefined || value === null) return undefined;
  const decoded = decodeStoredSession(value);
  if ('token' in decoded) return decoded.token;
  throw new CtpSessionError(
    CtpErrorCode.StoredTokenInvalid,
    'The session storage returned a value that is not a ctp-client token; check that the storage keeps what set() was given (JSON round-trip) and nothing else writes to its key.',
    { field: decoded.field },
  );
}
