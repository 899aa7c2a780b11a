import { createHash } from 'node:crypto';

/**
 * The scope lists this process knows (every ScopeRegistry's rendered sets), by content. Sessions
 * store a short fingerprint of their scopes instead of the list (eleven strings in every session
 * otherwise) and every session of a set shares one frozen array. Keyed by content, not by registry,
 * so one fingerprint always means one list, whichever registry registered it.
 */
const byFingerprint = new Map<string, readonly string[]>();
const byKey = new Map<string, readonly string[]>();
const fingerprints = new WeakMap<readonly string[], string>();
/** Registries are few and Store variants bounded; past this, lists are stored in full (still correct). */
const MAX_LISTS = 4_096;

/** 12 base64url characters (72 bits) of SHA-256. */
export const SCOPE_FINGERPRINT = /^[A-Za-z0-9_-]{12}$/;

// Order and repeats do not matter: the granted-scope check compares sets.
function keyOf(scopes: readonly string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}

/** The fingerprint of a scope list as a set (order and repeats ignored). */
export function scopeFingerprint(scopes: readonly string[]): string {
  const known = fingerprints.get(scopes);
  if (known !== undefined) return known;
  return createHash('sha256').update(keyOf(scopes)).digest('base64url').slice(0, 12);
}

/** Registers a configured scope list; returns the one shared frozen array of that set. */
export function registerScopes(scopes: readonly string[]): readonly string[] {
  const key = keyOf(scopes);
  const existing = byKey.get(key);
  if (existing !== undefined) return existing;
  const shared = Object.isFrozen(scopes) ? scopes : Object.freeze([...scopes]);
  if (byKey.size >= MAX_LISTS) return shared;
  const fingerprint = createHash('sha256').update(key).digest('base64url').slice(0, 12);
  byKey.set(key, shared);
  byFingerprint.set(fingerprint, shared);
  fingerprints.set(shared, fingerprint);
  return shared;
}

/** The registered list with this fingerprint, or undefined when this process does not know it. */
export function scopesOfFingerprint(fingerprint: string): readonly string[] | undefined {
  return byFingerprint.get(fingerprint);
}

/** The fingerprint of `scopes` if they are the shared array of a registered list, else undefined. */
export function registeredFingerprint(scopes: readonly string[]): string | undefined {
  return fingerprints.get(scopes);
}

/** The shared array of a registered list equal (as a set) to `scopes`, or `scopes` itself. */
export function internScopes(scopes: readonly string[]): readonly string[] {
  if (fingerprints.has(scopes)) return scopes;
  return byKey.get(keyOf(scopes)) ?? scopes;
}
