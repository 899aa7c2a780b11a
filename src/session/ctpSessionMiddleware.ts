import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { expressSessionStorage, type SessionLike } from './expressSessionStorage';
import { runWithCtpSession } from './sessionContext';
import type { SessionStorage } from './SessionStorage';

// Loose on purpose: express-session's `Session` class has no index signature.
interface RequestWithSession {
  session?: object | undefined;
  sessionID?: string | undefined;
}

/**
 * Express-style middleware: makes `req.session` the current shopper's session for the rest of the
 * request. Install it after express-session (or any middleware that sets `req.session`).
 *
 * `storage` replaces the express-session adapter, e.g. with a RedisSessionStorage per session id.
 *
 * @example
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use(ctpSessionMiddleware());
 */
export function ctpSessionMiddleware<Req extends RequestWithSession>(options: { key?: string; storage?: (req: Req) => SessionStorage } = {}) {
  return (req: Req, _res: unknown, next: (error?: unknown) => void): void => {
    if (options.storage) {
      runWithCtpSession(options.storage(req), () => next());
      return;
    }
    if (typeof req.session !== 'object' || req.session === null) {
      next(
        new CtpSessionError(
          CtpErrorCode.NoSessionContext,
          'req.session is missing: install express-session (or a compatible middleware) before ctpSessionMiddleware().',
        ),
      );
      return;
    }
    const storage = expressSessionStorage(req.session as SessionLike, { id: req.sessionID, ...(options.key === undefined ? {} : { key: options.key }) });
    runWithCtpSession(storage, () => next());
  };
}
