import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { expressRequestStorage, type RequestWithSession } from './expressSessionStorage';
import { runWithCtpSession } from './sessionContext';
import type { SessionStorage } from './SessionStorage';

/**
 * Express-style middleware: makes `req.session` the current shopper's session for the rest of the
 * request. Install it after express-session (or any middleware that sets `req.session`).
 *
 * `storage` replaces the express-session adapter, e.g. with a RedisSessionStorage per session id.
 *
 * @example
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use(ctpSessionMiddleware());
 * // on sign-in: a new session id first (no session fixation), then the sign-in lands in it
 * await new Promise<void>((done, fail) => req.session.regenerate((e) => (e ? fail(e) : done())));
 * await ctpSession.login(email, password);
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
    // Reads req.session at each call: a sign-in after req.session.regenerate() lands in the new session.
    const storage = expressRequestStorage(req, options.key === undefined ? {} : { key: options.key });
    runWithCtpSession(storage, () => next());
  };
}
