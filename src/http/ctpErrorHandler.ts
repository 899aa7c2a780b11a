import { ctpErrorResponse } from './ctpErrorResponse';

/**
 * An Express error handler (install it last) answering every error with ctpErrorResponse(error):
 * its status and `{ error, message }` JSON. When the response has started already, the error goes
 * on to Express's own handler, which ends the connection.
 *
 * @example
 * app.use(ctpErrorHandler({ log: (error, status) => status >= 500 && logger.error({ error }, 'request failed') }));
 */
export function ctpErrorHandler(
  options: {
    /**
     * Called with every error the handler answers, its status and the request, before the answer is
     * sent: log 5xx there. The error may be a foreign one (its message may quote an upstream answer);
     * the library's own errors never carry a token or secret. A log that throws does not stop the answer.
     */
    log?: (error: unknown, status: number, req: unknown) => void;
  } = {},
): (
  error: unknown,
  req: unknown,
  // The part of an Express response the handler uses.
  res: { headersSent: boolean; status(code: number): { json(body: unknown): unknown } },
  next: (error?: unknown) => void,
) => void {
  // Four parameters: Express tells an error handler by its arity.
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, body } = ctpErrorResponse(error);
    try {
      options.log?.(error, status, req);
    } catch {
      // The answer matters more than the log line.
    }
    res.status(status).json(body);
  };
}

/** The options of ctpErrorHandler(), for tests. */
export type CtpErrorHandlerOptions = NonNullable<Parameters<typeof ctpErrorHandler>[0]>;
