import { CtpConfigError } from '../errors/CtpConfigError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';

// The req.session key ctpSessionMiddleware() noted as holding the token (null: the app's storage holds it).
// A registered symbol, so the ESM and CJS builds of the package read each other's note.
const SESSION_KEY = Symbol.for('ctp-client.sessionKey');

interface NotedRequest {
  [SESSION_KEY]?: string | null;
}

interface RegenerableSession {
  [key: string]: unknown;
  regenerate?: (done: (error?: unknown) => void) => void;
}

export function noteSessionKey(req: object, key: string | null): void {
  Object.defineProperty(req, SESSION_KEY, { value: key, enumerable: false, configurable: true, writable: true });
}

/**
 * Gives the request a new express-session id (`req.session.regenerate()`, against session fixation)
 * and carries the shopper's commercetools token into it (other fields of req.session are the app's to
 * copy). Call it before `login()` / `signUp()`, so the anonymous cart reaches the sign-in, and after
 * `logout()`. Needs ctpSessionMiddleware() without a `storage` of the app's (else CtpConfigError);
 * CTP_NO_SESSION_CONTEXT without the middleware or express-session; CTP_SESSION_STORAGE when the store
 * failed to destroy the old session (the token is carried all the same; do not sign in on it).
 *
 * @example
 * app.post('/login', async (req, res) => {
 *   await regenerateSession(req);
 *   res.json(await ctpSession.login(email, password));
 * });
 */
export async function regenerateSession(req: { session?: object | undefined }): Promise<void> {
  const key = (req as NotedRequest)[SESSION_KEY];
  if (key === undefined) {
    throw new CtpSessionError(
      CtpErrorCode.NoSessionContext,
      'regenerateSession(req) needs a request that went through ctpSessionMiddleware(): install it after express-session.',
    );
  }
  if (key === null) {
    throw new CtpConfigError([
      'regenerateSession(req) moves the token kept in req.session, but ctpSessionMiddleware({ storage }) keeps it in your storage: regenerate req.session yourself and move the token in your storage to the new session id.',
    ]);
  }
  const before = req.session as RegenerableSession | undefined;
  if (typeof before?.regenerate !== 'function') {
    throw new CtpSessionError(
      CtpErrorCode.NoSessionContext,
      'req.session has no regenerate(): regenerateSession(req) is for express-session (or a middleware with its regenerate(callback)).',
    );
  }
  const carried = before[key];
  await new Promise<void>((resolve, reject) => {
    before.regenerate!((error?: unknown) => {
      // req.session is a new one even when the store failed to destroy the old: the token goes in either way.
      const after = req.session as RegenerableSession | undefined;
      if (carried !== undefined && after !== undefined) after[key] = carried;
      if (error === undefined || error === null) return resolve();
      reject(
        new CtpSessionError(
          CtpErrorCode.SessionStorage,
          'express-session could not regenerate the session: its store failed to destroy the old one, which may still be valid. The shopper keeps the session under a new id; do not sign in on it. Try again.',
          { cause: error },
        ),
      );
    });
  });
}
