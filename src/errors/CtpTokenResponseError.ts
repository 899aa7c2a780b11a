import { CtpError, type CtpErrorOptions } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/** A token answer that is not what RFC 6749 5.1 and commercetools promise. Nothing was stored. */
export class CtpTokenResponseError extends CtpError {
  /** The field (or `body`) that failed the check. */
  readonly field: string;

  constructor(
    field: string,
    message: string,
    options: CtpErrorOptions & {
      code?: typeof CtpErrorCode.TokenResponseInvalid | typeof CtpErrorCode.TokenIdentityMismatch;
    } = {},
  ) {
    super(options.code ?? CtpErrorCode.TokenResponseInvalid, message, options);
    this.field = field;
  }
}
