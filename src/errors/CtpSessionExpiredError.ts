import { CtpError } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/** The shopper's session could not be refreshed and was cleared: ask the shopper to sign in again. */
export class CtpSessionExpiredError extends CtpError {
  /** Why, e.g. the OAuth `error` of the refused refresh; kept out of `message`, which is a fixed string. */
  readonly reason: string;

  constructor(reason: string, options: { cause?: unknown; status?: number; response?: Response } = {}) {
    super(
      CtpErrorCode.SessionExpired,
      "The shopper's commercetools session expired and was cleared; ask the shopper to sign in again.",
      options,
    );
    this.reason = reason;
  }
}
