import { ctpErrorResponse } from './ctpErrorResponse';

/**
 * An Express error handler (install it last) answering every error with ctpErrorResponse(error). Once the
 * response has started, the error goes on to Express's own handler, which ends the connection.
 *
 * @example
 * app.use(ctpErrorHandler({ log: (error, status) => status >= 500 && logger.error({ error }, 'request failed') }));
 */
export function ctpErrorHandler(
  options: {
    /**
     * Called with every error answered, its status and the request, before the answer (log 5xx there); if
     * it throws, the answer still goes. Only the library's own errors are sure to carry no token or secret.
     */
    log?: (error: unknown, status: number, req: unknown) => void;
  } = {},
): (
  error: unknown,
  req: unknown,
  res: { headersSent: boolean; status(code: number): { json(body: unknown): unknown } },
  next: (error?: unknown) => void,
) => void {
  // Four parameters: Express tells an error handler by its arity.
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const { status, body } = ctpErrorResponse(error);
    try {
      options.log?.(error, status, req);
    } catch {
      // The answer matters more than the log line.
    }
    res.status(status).json(body);
  };
}
