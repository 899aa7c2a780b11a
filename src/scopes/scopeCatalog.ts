import { createHash } from 'node:crypto';

/** 12 base64url characters (72 bits) of SHA-256. */
export const SCOPE_FINGERPRINT = /^[A-Za-z0-9_-]{12}$/;

/**
 * The fingerprint of a scope list as a set (order and repeats ignored): what a stored session keeps
 * instead of the list of a configured set. A pure function of the list: whoever reads the session
 * resolves it against its own ScopeRegistry (ScopeRegistry.fingerprint), no process-wide table.
 */
export function scopeFingerprint(scopes: readonly string[]): string {
  const key = [...new Set(scopes)].sort().join(' ');
  return createHash('sha256').update(key).digest('base64url').slice(0, 12);
}

/** Whether two scope lists hold the same set (order and repeats ignored). */
export function sameScopeSet(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((scope) => right.has(scope));
}
