import { CtpError, type CtpErrorOptions } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/** A session problem: no request context, no session, a failing session storage, or a session that changed under an operation. */
export class CtpSessionError extends CtpError {
  constructor(
    code:
      | typeof CtpErrorCode.NoSessionContext
      | typeof CtpErrorCode.NoSession
      | typeof CtpErrorCode.SessionStorage
      | typeof CtpErrorCode.SessionStorageTimeout
      | typeof CtpErrorCode.SessionStorageInvalid
      | typeof CtpErrorCode.SessionChanged,
    message: string,
    options: CtpErrorOptions = {},
  ) {
    super(code, message, options);
  }
}
