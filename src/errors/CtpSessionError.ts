import { CtpError, type CtpErrorOptions } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/** A session problem: no request context, no session, or a failing session storage. */
export class CtpSessionError extends CtpError {
  constructor(
    code: typeof CtpErrorCode.NoSessionContext | typeof CtpErrorCode.NoSession | typeof CtpErrorCode.SessionStorage,
    message: string,
    options: CtpErrorOptions = {},
  ) {
    super(code, message, options);
  }
}
