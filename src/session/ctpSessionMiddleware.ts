import { runWithCorrelationId } from '../util/apiCallContext';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { isValidCorrelationId, newCorrelationId } from '../util/correlationId';
import { DEFAULT_SESSION_KEY, expressRequestStorage } from './expressSessionStorage';
import { noteSessionKey } from './regenerateSession';
import { runWithCtpSession } from './sessionContext';
import type { LegacySessionStorage } from './fromLegacyStorage';
import type { SessionStorage } from './SessionStorage';

/** What the middleware reads and sets on the request besides the session. */
interface CorrelatedRequest {
  headers?: Record<string, string | string[] | undefined>;
  /** Set by the middleware: the request's correlation ID (also currentCorrelationId()). */
  ctpCorrelationId?: string;
}

interface ResponseLike {
  setHeader?: (name: string, value: string) => unknown;
}

/** A valid incoming X-Correlation-ID, or a fresh one: an invalid one is replaced, never forwarded. */
function correlationIdOf(req: CorrelatedRequest): string {
  const incoming = req.headers?.['x-correlation-id'];
  return isValidCorrelationId(incoming) ? incoming : newCorrelationId();
}

/**
 * Express-style middleware: makes `req.session` the current shopper's session for the rest of the
 * request. Install it after express-session (or any middleware that sets `req.session`).
 *
 * It also gives the request its correlation ID: a valid incoming `X-Correlation-ID` (8-256 letters,
 * digits, `_`, `-`), or a generated one. Every API and auth request, log event and CtpApiError of
 * the request carries it; it is on `req.ctpCorrelationId`, in currentCorrelationId(), and echoed as
 * the response's X-Correlation-ID header.
 *
 * `storage` replaces the express-session adapter, e.g. with a RedisSessionStorage per session id.
 *
 * @example
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use(ctpSessionMiddleware());
 * // on sign-in: a new session id first (no session fixation), the anonymous token carried into it
 * await regenerateSession(req);
 * await ctpSession.login(email, password);
 */
// Req: the part of an express request the middleware reads (RequestWithSession, written out).
export function ctpSessionMiddleware<Req extends { session?: object | undefined; sessionID?: string | undefined }>(
  options: { key?: string; storage?: (req: Req) => SessionStorage | LegacySessionStorage } = {},
): (req: Req, res: unknown, next: (error?: unknown) => void) => void {
  return (req: Req, res: unknown, next: (error?: unknown) => void): void => {
    const correlated = req as Req & CorrelatedRequest;
    const correlationId = correlationIdOf(correlated);
    correlated.ctpCorrelationId = correlationId;
    (res as ResponseLike | undefined)?.setHeader?.('X-Correlation-ID', correlationId);
    runWithCorrelationId(correlationId, () => {
      if (options.storage) {
        noteSessionKey(req, null);
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
      noteSessionKey(req, options.key ?? DEFAULT_SESSION_KEY);
      const storage = expressRequestStorage(req, options.key === undefined ? {} : { key: options.key });
      runWithCtpSession(storage, () => next());
    });
  };
}
