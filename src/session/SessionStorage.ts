import type { StoredSession } from '../auth/StoredSession';

/**
 * Where one shopper's token lives, in the compact stored form (about 220 B as JSON). Every change of a
 * session is one compareAndSet: a storage shared between instances makes it atomic across them.
 */
export interface SessionStorage {
  /** A stable id of the session (e.g. `req.sessionID`): concurrent requests share one anonymous grant and lock. */
  readonly id?: string | undefined;
  /**
   * What is stored (either stored format), undefined when nothing is. A storage may answer from a cache
   * it keeps coherent, except with `fresh` (the store's value now); a storage without a cache ignores it.
   */
  get(options?: { fresh?: boolean }): Promise<StoredSession | undefined>;
  /**
   * Atomic: replaces what is stored with `next` (removes it when undefined) only if what is stored holds
   * the token pair of `expected` (see sameStoredSession), and says whether it did. Set and clear are this.
   */
  compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean>;
}

/** compareAndSet's comparison: whether `stored` (either format) holds `expected`'s pair, or for undefined none. */
export function sameStoredSession(stored: unknown, expected: StoredSession | undefined): boolean {
  const held = pairOf(stored);
  if (expected === undefined) return held === undefined;
  return held !== undefined && held.access === expected.a && held.refresh === expected.r;
}

// Compact (a, r) or the full token of earlier versions (as the Redis script reads it).
function pairOf(value: unknown): { access: string; refresh: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const access = v['a'] ?? v['accessToken'];
  const refresh = v['r'] ?? v['refreshToken'];
  return typeof access === 'string' && typeof refresh === 'string' ? { access, refresh } : undefined;
}
