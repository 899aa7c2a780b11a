import { CtpError, type CtpErrorOptions } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/** The commercetools API answered an error to a call the library makes itself (e.g. sign-in). */
export class CtpApiError extends CtpError {
  /** The first `errors[].code` of the API's answer, e.g. `InvalidCredentials`. */
  readonly apiCode: string | undefined;

  constructor(message: string, options: CtpErrorOptions & { apiCode?: string | undefined } = {}) {
    super(CtpErrorCode.ApiRequestFailed, message, options);
    this.apiCode = options.apiCode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), apiCode: this.apiCode };
  }
}
