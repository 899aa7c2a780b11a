import { expressSessionStorage, type SessionLike, type SessionStorage } from 'ctp-client';

interface RequestWithSession {
  session?: object | undefined;
  sessionID?: string | undefined;
}

/**
 * Reads `req.session` and `req.sessionID` at every call, so a token written after
 * `req.session.regenerate()` lands in the new session. ctp-client's own express adapter does the same
 * (issue 10, item 5); this copy keeps the example correct whichever adapter it runs against, and can go
 * once that change is in: `app.use(ctpSessionMiddleware())` alone then suffices.
 */
export function requestSessionStorage(req: RequestWithSession): SessionStorage {
  const current = () => expressSessionStorage((req.session ?? {}) as SessionLike, { id: req.sessionID });
  return {
    get id() {
      return req.sessionID;
    },
    get: () => current().get(),
    set: (token) => current().set(token),
    clear: () => current().clear(),
  } as SessionStorage;
}
