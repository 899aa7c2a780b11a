import { decodeStoredSession, type StoredSession } from '../auth/StoredSession';
import { sameStoredSession, type SessionStorage } from './SessionStorage';

/** The part of an express-session style `req.session` the adapter uses. */
export interface SessionLike {
  [key: string]: unknown;
}

/** The part of an express request the adapter reads: looked up at every call, never kept. */
export interface RequestWithSession {
  session?: object | undefined;
  sessionID?: string | undefined;
}

export const DEFAULT_SESSION_KEY = 'ctpAuthToken';

/**
 * Adapts an express-session style `req.session` object. The token is stored as plain JSON under
 * `key`, in the compact StoredSession form it is handed (the full token of earlier versions is still read);
 * express-session saves the session when the response ends. A value that is not a valid token (a
 * hand edit, another library's) reads as no session rather than failing every request.
 *
 * Prefer expressRequestStorage(req): this one holds the session object it was given, so after
 * `req.session.regenerate()` it would keep writing into the discarded session.
 */
export function expressSessionStorage(
  session: SessionLike,
  options: { id?: string | undefined; key?: string } = {},
): SessionStorage {
  return requestStorage(() => ({ session, sessionID: options.id }), options.key ?? DEFAULT_SESSION_KEY);
}

/**
 * Adapts the request's express-session: `req.session` and `req.sessionID` are read at every call,
 * so a sign-in after `req.session.regenerate()` (a new session id on sign-in, as OWASP advises
 * against session fixation) lands in the new session. What ctpSessionMiddleware() uses.
 */
export function expressRequestStorage(req: RequestWithSession, options: { key?: string } = {}): SessionStorage {
  return requestStorage(() => req, options.key ?? DEFAULT_SESSION_KEY);
}

function requestStorage(current: () => RequestWithSession, key: string): SessionStorage {
  const session = (): SessionLike => {
    const value = current().session;
    if (typeof value !== 'object' || value === null)
      throw new Error('req.session is gone (destroyed without a new one)');
    return value as SessionLike;
  };
  return {
    get id() {
      return current().sessionID;
    },
    async get(): Promise<StoredSession | undefined> {
      return readable(session()[key]);
    },
    // No await between the compare and the write: atomic in this process (express-session saves
    // the session when the response ends; across instances, the session store decides).
    async compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean> {
      const stored = session();
      if (!sameStoredSession(readable(stored[key]), expected)) return false;
      if (next === undefined) delete stored[key];
      else stored[key] = next;
      return true;
    },
  };
}

// Either stored format: a session written by an earlier version is read, and written in the
// compact one at its next change. Anything else (a hand edit, another library's) reads as no session.
function readable(value: unknown): StoredSession | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return 'token' in decodeStoredSession(value) ? (value as StoredSession) : undefined;
}
