import { CtpConfigError } from '../errors/CtpConfigError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';

// Where ctpSessionMiddleware() notes, on the request, the req.session key holding the shopper's
// token (null: the app's own storage holds it). A registered symbol, so the ESM and CJS builds of
// the package read each other's note.
const SESSION_KEY = Symbol.for('ctp-client.sessionKey');

interface NotedRequest {
  [SESSION_KEY]?: string | null;
}

/** The part of express-session's `req.session` used here. */
interface RegenerableSession {
  [key: string]: unknown;
  regenerate?: (done: (error?: unknown) => void) => void;
}

/** For ctpSessionMiddleware(): which key of req.session holds the token, or null for a storage of the app's. */
export function noteSessionKey(req: object, key: string | null): void {
  Object.defineProperty(req, SESSION_KEY, { value: key, enumerable: false, configurable: true, writable: true });
}

/**
 * Gives the request a new express-session id (`req.session.regenerate()`) and carries the shopper's
 * commercetools session into it: the old id names nothing from then on (no session fixation), and
 * the shopper stays who they were. Call it before `login()` / `signUp()`, so the anonymous session's
 * token reaches the sign-in and its cart moves to the customer, and after `logout()`, so the old id
 * ends. Only the library's token moves; other fields of req.session are the app's to copy.
 *
 * Needs ctpSessionMiddleware() with its express-session storage (the default). Throws CtpConfigError
 * when the middleware was given a `storage` of the app's (the token is not in req.session, and the
 * storage keyed by the old id cannot follow), CTP_NO_SESSION_CONTEXT for a request that did not go
 * through the middleware or has no express-session, and CTP_SESSION_STORAGE when express-session's
 * store failed to destroy the old session (the token is carried all the same, so the shopper keeps
 * the cart; the old id may still name the session, so the caller must not go on to sign in).
 *
 * @example
 * app.post('/login', async (req, res) => {
 *   await regenerateSession(req);
 *   res.json(await ctpSession.login(email, password));
 * });
 * app.post('/logout', async (req, res) => {
 *   await ctpSession.logout();
 *   await regenerateSession(req);
 *   res.status(204).end();
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
      // express-session has replaced req.session with an empty one under a new id, even when its
      // store failed to destroy the old one: the token goes in either way, so no shopper loses the cart.
      const after = req.session as RegenerableSession | undefined;
      if (carried !== undefined && after !== undefined) after[key] = carried;
      if (error === undefined || error === null) resolve();
      else
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
