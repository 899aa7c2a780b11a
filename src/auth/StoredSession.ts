import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { SCOPE_FINGERPRINT } from '../scopes/scopeCatalog';
import type { ScopeRegistry } from '../scopes/ScopeRegistry';
import type { CtpAuthToken } from './CtpAuthToken';
import { storedTokenProblem } from './storedTokenProblem';

/**
 * A session token as a session store keeps it (format 2, what SessionStorage.compareAndSet is handed):
 * short field names and the scopes as their set's fingerprint, about 220 B of JSON for a customer with the
 * default set. The full CtpAuthToken that earlier versions stored (format 1) is still read.
 */
export interface StoredSession {
  /** Format version. */
  readonly v: 2;
  /** `c` customer, `a` anonymous, `e` external customer (a version that does not know it refuses the value). */
  readonly k: 'c' | 'a' | 'e';
  readonly a: string;
  readonly r: string;
  /** issuedAt, epoch ms. */
  readonly i: number;
  /** expiresAt, epoch ms. */
  readonly e: number;
  /** The fingerprint of the token's scope set in the registry, or the list itself. */
  readonly s: string | readonly string[];
  readonly c?: string;
  readonly n?: string;
  /** storeKey */
  readonly t?: string;
}

/** Resolves a stored session's scope set: the library's own ScopeRegistry (no process-wide table). */
export type StoredScopeSets = Pick<ScopeRegistry, 'scopes' | 'fingerprint' | 'shared'>;

/** The compact form of `token`: its scopes as a fingerprint when they are `registry`'s set for it, else the list. */
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

/**
 * A stored value of either format as a token, or the name of its first bad field. A fingerprint of the
 * token's set in `registry` becomes that set's shared list; any other (the set changed since, or no
 * registry) becomes no list plus `scopesFingerprint`, which the next refresh checks (TokenIssuer).
 */
export function decodeStoredSession(
  value: unknown,
  registry?: StoredScopeSets,
): { token: CtpAuthToken } | { field: string } {
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 2) {
    // Format 1, read as it always was, unless it carries a fingerprint `registry` knows (the legacy storage adapter's).
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
 * Validates what a session storage returned, in either format: `undefined` (or `null`) is no session, a
 * valid token is returned, anything else throws, so a storage's garbage never reaches the API as
 * `Bearer undefined` or a header with a CR/LF in it. `registry` resolves a stored fingerprint to its list.
 *
 * @throws CtpSessionError CTP_STORED_TOKEN_INVALID, with `.field` naming the first bad field (never its value).
 */
export function parseStoredToken(value: unknown, registry?: StoredScopeSets): CtpAuthToken | undefined {
  if (value === undefined || value === null) return undefined;
  const decoded = decodeStoredSession(value, registry);
  if ('token' in decoded) return decoded.token;
  throw new CtpSessionError(
    CtpErrorCode.StoredTokenInvalid,
    'The session storage returned a value that is not a ctp-client token; check that the storage keeps what set() was given (JSON round-trip) and nothing else writes to its key.',
    { field: decoded.field },
  );
}
