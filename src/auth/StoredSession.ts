import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { SCOPE_FINGERPRINT } from '../scopes/scopeCatalog';
import type { ScopeRegistry } from '../scopes/ScopeRegistry';
import type { CtpAuthToken } from './CtpAuthToken';
import { storedTokenProblem } from './storedTokenProblem';

/**
 * A session token as a session store keeps it (format 2), what SessionStorage.compareAndSet is
 * handed: plain JSON with short field names, and the scopes as the fingerprint of the token's set
 * (customer or anonymous, per Store) in the library's ScopeRegistry instead of the list. About 220 B
 * of JSON for a customer with the default set, against 661 B for the full CtpAuthToken, which stores
 * written by earlier versions (format 1) hold and which is still read.
 */
export interface StoredSession {
  /** Format version. */
  readonly v: 2;
  /**
   * `c` customer, `a` anonymous, `e` a customer signed in at the app's identity provider (external:
   * a version that does not know it refuses the value rather than refresh or revoke it at commercetools).
   */
  readonly k: 'c' | 'a' | 'e';
  readonly a: string;
  readonly r: string;
  /** issuedAt, epoch ms. */
  readonly i: number;
  /** expiresAt, epoch ms. */
  readonly e: number;
  /** The scopes: the fingerprint of the token's set in the registry (scopeFingerprint), or the list itself. */
  readonly s: string | readonly string[];
  readonly c?: string;
  readonly n?: string;
  /** storeKey */
  readonly t?: string;
}

/** Resolves a stored session's scope set: the library's own ScopeRegistry (no process-wide table). */
export type StoredScopeSets = Pick<ScopeRegistry, 'scopes' | 'fingerprint' | 'shared'>;

/**
 * The compact form of `token`, ready to serialise. Its scopes become the fingerprint of its set when
 * they are `registry`'s set for the token (kind, storeKey); otherwise (or without a registry) the list.
 */
export function toStoredSession(token: CtpAuthToken, registry?: StoredScopeSets): StoredSession {
  const fingerprint =
    token.scopesFingerprint ??
    (registry?.shared(token.kind, token.scopes, token.storeKey) === undefined
      ? undefined
      : registry.fingerprint(token.kind, token.storeKey));
  return {
    v: 2,
    k: token.kind === 'anonymous' ? 'a' : token.external === true ? 'e' : 'c',
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
 * A stored value of either format as a token, or the name of its first bad field. A fingerprint of
 * the token's set in `registry` becomes that set's shared list; any other (the set was changed by
 * configuration since the session was stored, or no registry was given) becomes no list plus
 * `scopesFingerprint`, which the next refresh checks the granted scopes against (TokenIssuer).
 */
export function decodeStoredSession(
  value: unknown,
  registry?: StoredScopeSets,
): { token: CtpAuthToken } | { field: string } {
  if (!isStoredSession(value)) {
    // The full format (1) of earlier versions, read as it always was: the same object, unless it
    // carries a fingerprint `registry` knows (what the legacy storage adapter hands on).
    const field = storedTokenProblem(value);
    if (field !== undefined) return { field };
    const token = value as CtpAuthToken;
    const known =
      token.scopesFingerprint !== undefined &&
      registry !== undefined &&
      registry.fingerprint(token.kind, token.storeKey) === token.scopesFingerprint;
    if (!known) return { token };
    const { scopesFingerprint: _resolved, ...rest } = token;
    return { token: Object.freeze({ ...rest, scopes: registry.scopes(token.kind, token.storeKey) }) };
  }
  const v = value as unknown as Record<string, unknown>;
  const k = v['k'];
  const kind = k === 'c' || k === 'e' ? 'customer' : k === 'a' ? 'anonymous' : k;
  const storeKey = v['t'];
  const s = v['s'];
  let scopes: unknown = s;
  let scopesFingerprint: string | undefined;
  // The set is known only once kind and storeKey are: otherwise storedTokenProblem names the field.
  const set: { kind: CtpAuthToken['kind']; storeKey: string | undefined } | undefined =
    (kind === 'customer' || kind === 'anonymous') && (storeKey === undefined || typeof storeKey === 'string')
      ? { kind, storeKey }
      : undefined;
  if (typeof s === 'string') {
    if (!SCOPE_FINGERPRINT.test(s)) return { field: 'scopes' };
    if (set !== undefined && registry !== undefined && registry.fingerprint(set.kind, set.storeKey) === s) {
      scopes = registry.scopes(set.kind, set.storeKey);
    } else {
      scopes = NO_SCOPES;
      scopesFingerprint = s;
    }
  } else if (Array.isArray(s) && set !== undefined && s.every((scope) => typeof scope === 'string')) {
    scopes = registry?.shared(set.kind, s, set.storeKey) ?? Object.freeze([...s]);
  }
  const token = {
    kind,
    accessToken: v['a'],
    refreshToken: v['r'],
    issuedAt: v['i'],
    expiresAt: v['e'],
    scopes,
    ...(scopesFingerprint === undefined ? {} : { scopesFingerprint }),
    ...(v['c'] === undefined ? {} : { customerId: v['c'] }),
    ...(v['n'] === undefined ? {} : { anonymousId: v['n'] }),
    ...(storeKey === undefined ? {} : { storeKey }),
    ...(k === 'e' ? { external: true } : {}),
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
export function readStoredSession(value: unknown, registry?: StoredScopeSets): CtpAuthToken | undefined {
  if (value === undefined || value === null) return undefined;
  const decoded = decodeStoredSession(value, registry);
  if ('token' in decoded) return decoded.token;
  throw new CtpSessionError(
    CtpErrorCode.StoredTokenInvalid,
    'The session storage returned a value that is not a ctp-client token; check that the storage keeps what set() was given (JSON round-trip) and nothing else writes to its key.',
    { field: decoded.field },
  );
}
