import { isCtpAuthToken, type CtpAuthToken } from '../auth/CtpAuthToken';
import type { SessionStorage } from './SessionStorage';

/** The part of an express-session style `req.session` the adapter uses. */
export interface SessionLike {
  [key: string]: unknown;
}

export const DEFAULT_SESSION_KEY = 'ctpAuthToken';

/**
 * Adapts an express-session style `req.session` object. The token is stored as plain JSON under
 * `key`; express-session saves the session when the response ends. A value that is not a valid
 * token (an old format, a hand edit) reads as no session rather than failing every request.
 */
export function expressSessionStorage(session: SessionLike, options: { id?: string | undefined; key?: string } = {}): SessionStorage {
  const key = options.key ?? DEFAULT_SESSION_KEY;
  return {
    ...(options.id === undefined ? {} : { id: options.id }),
    async get(): Promise<CtpAuthToken | undefined> {
      const value = session[key];
      return isCtpAuthToken(value) ? value : undefined;
    },
    async set(token: CtpAuthToken): Promise<void> {
      session[key] = { ...token, scopes: [...token.scopes] };
    },
    async clear(): Promise<void> {
      delete session[key];
    },
  };
}
