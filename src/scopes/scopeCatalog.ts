import { createHash } from 'node:crypto';

/** 12 base64url characters (72 bits) of SHA-256. */
export const SCOPE_FINGERPRINT = /^[A-Za-z0-9_-]{12}$/;

/** What a stored session keeps instead of its set's list (order, repeats ignored); the reader's registry resolves it. */
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
