import { CtpError, type CtpErrorOptions } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/** The shopper's session could not be refreshed and was cleared: ask the shopper to sign in again. */
export class CtpSessionExpiredError extends CtpError {
  constructor(reason: string, options: CtpErrorOptions = {}) {
    super(CtpErrorCode.SessionExpired, `The shopper's commercetools session expired (${reason}) and was cleared; ask the shopper to sign in again.`, options);
  }
}
