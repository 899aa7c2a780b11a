import { decodeStoredSession, type StoredSession } from '../auth/StoredSession';
import { sameStoredSession, type SessionStorage } from './SessionStorage';

export const DEFAULT_SESSION_KEY = 'ctpAuthToken';

/**
 * The token as plain JSON under `key` of the request's express-session, read at every call so a sign-in
 * after `req.session.regenerate()` lands in the new session.
 */
export function expressRequestStorage(
  req: { session?: object | undefined; sessionID?: string | undefined },
  options: { key?: string } = {},
): SessionStorage {
  const key = options.key ?? DEFAULT_SESSION_KEY;
  const session = (): Record<string, unknown> => {
    if (typeof req.session !== 'object' || req.session === null)
      throw new Error('req.session is gone (destroyed without a new one)');
    return req.session as Record<string, unknown>;
  };
  return {
    get id() {
      return req.sessionID;
    },
    async get(): Promise<StoredSession | undefined> {
      return readable(session()[key]);
    },
    // No await between the compare and the write: atomic in this process (across instances, the session store decides).
    async compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean> {
      const stored = session();
      if (!sameStoredSession(readable(stored[key]), expected)) return false;
      if (next === undefined) delete stored[key];
      else stored[key] = next;
      return true;
    },
  };
}

// Either stored format (an earlier version's full token is written compact at its next change); anything
// else (a hand edit, another library's) reads as no session rather than failing every request.
function readable(value: unknown): StoredSession | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return 'token' in decodeStoredSession(value) ? (value as StoredSession) : undefined;
}
