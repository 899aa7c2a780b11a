import type { StoredSession } from '../auth/StoredSession';

/**
 * Where the current shopper's token lives: one instance stands for one shopper's session. What it
 * is handed is the compact stored form (StoredSession, about 220 B as JSON, ready to serialise);
 * what it returns, the library checks and decodes with its own scope registry. Every change of a
 * session (sign-in, refresh, sign-out) is one compareAndSet, so a storage shared between processes
 * (Redis, a database) makes them atomic across instances by making compareAndSet atomic.
 */
export interface SessionStorage {
  /**
   * A stable id of the session (e.g. express-session's `req.sessionID`). Concurrent requests of one
   * shopper have different storage objects; the id lets them share one anonymous-session grant and
   * one lock for the session's state changes in this process.
   */
  readonly id?: string | undefined;
  /**
   * What is stored (what compareAndSet last stored, or a value in the full format of earlier
   * versions), undefined when nothing is. A storage may answer from a cache it keeps coherent; with
   * `fresh` the library asks for the value as the store holds it now (before it decides a change,
   * and after the API refused a token): a storage without a cache ignores the option.
   */
  get(options?: { fresh?: boolean }): Promise<StoredSession | undefined>;
  /**
   * Atomic: replaces what is stored with `next` (removes it when `next` is undefined) only if what
   * is stored now holds the same token pair as `expected` (`a` and `r`; nothing stored matches an
   * undefined `expected`; see sameStoredSession), and says whether it did. Set and clear are this.
   */
  compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean>;
}

/**
 * The comparison compareAndSet makes: whether `stored` (a value as the storage holds it, in either
 * stored format) holds the token pair of `expected`; with `expected` undefined, whether it holds no
 * pair at all (nothing, or a value that is not a session).
 */
export function sameStoredSession(stored: unknown, expected: StoredSession | undefined): boolean {
  const held = pairOf(stored);
  if (expected === undefined) return held === undefined;
  return held !== undefined && held.access === expected.a && held.refresh === expected.r;
}

// Either stored format: compact (a, r) or the full token of earlier versions (as the Redis script reads it).
function pairOf(value: unknown): { access: string; refresh: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const access = v['a'] ?? v['accessToken'];
  const refresh = v['r'] ?? v['refreshToken'];
  return typeof access === 'string' && typeof refresh === 'string' ? { access, refresh } : undefined;
}
