import { CtpError, type CtpErrorOptions } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/** No request context, no session, a failing session storage or garbage read from it, or a changed session. */
export class CtpSessionError extends CtpError {
  /** For CTP_STORED_TOKEN_INVALID: which field of the stored value failed (`value`, `accessToken`, `expiresAt`...). */
  readonly field: string | undefined;

  constructor(
    code:
      | typeof CtpErrorCode.NoSessionContext
      | typeof CtpErrorCode.NoSession
      | typeof CtpErrorCode.SessionStorage
      | typeof CtpErrorCode.SessionStorageTimeout
      | typeof CtpErrorCode.StoredTokenInvalid
      | typeof CtpErrorCode.SessionChanged
      | typeof CtpErrorCode.StoreMismatch,
    message: string,
    options: CtpErrorOptions & { field?: string } = {},
  ) {
    super(code, message, options);
    this.field = options.field;
  }
}
