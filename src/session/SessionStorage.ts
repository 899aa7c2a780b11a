import type { CtpAuthToken } from '../auth/CtpAuthToken';

/**
 * Where the current shopper's token lives: one instance stands for one shopper's session. The app
 * adapts its own session mechanism to get/set/clear; a storage shared between processes (Redis, a
 * database) should also offer `compareAndSet`, which is what makes a session's state changes atomic
 * across instances.
 */
export interface SessionStorage {
  /**
   * A stable id of the session (e.g. express-session's `req.sessionID`). Concurrent requests of one
   * shopper have different storage objects; the id lets them share one anonymous-session grant and
   * one lock for the session's state changes in this process.
   */
  readonly id?: string | undefined;
  /** The stored token; a storage may answer from a cache it keeps coherent (RedisSessionStorage). */
  get(): Promise<CtpAuthToken | undefined>;
  /**
   * Optional, for a storage whose get() may answer from a cache: the token as the store holds it
   * now, never cached. The library reads through it before every change of the session's state and
   * when the API refused a token (401), so a cache can never decide a write or hide a sign-out.
   */
  getStored?(): Promise<CtpAuthToken | undefined>;
  set(token: CtpAuthToken): Promise<void>;
  clear(): Promise<void>;
  /**
   * Optional, atomic: replaces the stored token with `next` (clears it when `next` is undefined) only
   * if what is stored now is `expected` (same access and refresh token; both absent counts as the
   * same), and says whether it did. Without it the library serialises a session's changes in this
   * process only, and compares then writes in two steps.
   */
  compareAndSet?(expected: CtpAuthToken | undefined, next: CtpAuthToken | undefined): Promise<boolean>;
}

/** The identity compareAndSet compares: the same token pair, or both absent. */
export function sameStoredToken(a: CtpAuthToken | undefined, b: CtpAuthToken | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.accessToken === b.accessToken && a.refreshToken === b.refreshToken;
}
