import { runWithCorrelationId } from '../util/apiCallContext';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { isValidCorrelationId, newCorrelationId } from '../util/correlationId';
import { DEFAULT_SESSION_KEY, expressRequestStorage } from './expressSessionStorage';
import { noteSessionKey } from './regenerateSession';
import { runWithCtpSession } from './sessionContext';
import type { LegacySessionStorage } from './fromLegacyStorage';
import type { SessionStorage } from './SessionStorage';

/**
 * Express-style middleware, after express-session: `req.session` (or `storage(req)`, e.g. a
 * RedisSessionStorage per session id) is the current shopper's session for the rest of the request.
 * The request's correlation ID, a valid incoming `X-Correlation-ID` (8-256 letters, digits, `_`, `-`)
 * or a generated one, goes with every API and auth request, log event and CtpApiError of the request;
 * it is on `req.ctpCorrelationId`, in currentCorrelationId(), and in the response's X-Correlation-ID.
 *
 * @example
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use(ctpSessionMiddleware());
 */
// Req: the part of an express request the middleware reads.
export function ctpSessionMiddleware<Req extends { session?: object | undefined; sessionID?: string | undefined }>(
  options: { key?: string; storage?: (req: Req) => SessionStorage | LegacySessionStorage } = {},
): (req: Req, res: unknown, next: (error?: unknown) => void) => void {
  return (req: Req, res: unknown, next: (error?: unknown) => void): void => {
    const correlated = req as Req & {
      headers?: Record<string, string | string[] | undefined>;
      ctpCorrelationId?: string;
    };
    const incoming = correlated.headers?.['x-correlation-id'];
    // An invalid incoming ID is replaced, never forwarded.
    const correlationId = isValidCorrelationId(incoming) ? incoming : newCorrelationId();
    correlated.ctpCorrelationId = correlationId;
    const response = res as { setHeader?: (name: string, value: string) => unknown } | undefined;
    response?.setHeader?.('X-Correlation-ID', correlationId);
    runWithCorrelationId(correlationId, () => {
      if (!options.storage && (typeof req.session !== 'object' || req.session === null)) {
        next(
          new CtpSessionError(
            CtpErrorCode.NoSessionContext,
            'req.session is missing: install express-session (or a compatible middleware) before ctpSessionMiddleware().',
          ),
        );
        return;
      }
      noteSessionKey(req, options.storage ? null : (options.key ?? DEFAULT_SESSION_KEY));
      const storage = options.storage ? options.storage(req) : expressRequestStorage(req, options);
      runWithCtpSession(storage, () => next());
    });
  };
}
