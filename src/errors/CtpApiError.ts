import { CtpError, type CtpErrorOptions } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/** The commercetools API answered an error to a call the library makes itself (e.g. sign-in). */
export class CtpApiError extends CtpError {
  /** The first `errors[].code` of the API's answer, e.g. `InvalidCredentials`; redacted, never in `message`. */
  readonly apiCode: string | undefined;
  /** The API's `message`, redacted and cut; never in `message`. */
  readonly apiMessage: string | undefined;
  /** For a request that got no answer: the network error, redacted and cut. */
  readonly reason: string | undefined;

  constructor(message: string, options: CtpErrorOptions & { apiCode?: string | undefined; apiMessage?: string | undefined; reason?: string | undefined } = {}) {
    super(CtpErrorCode.ApiRequestFailed, message, options);
    this.apiCode = options.apiCode;
    this.apiMessage = options.apiMessage;
    this.reason = options.reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), apiCode: this.apiCode, apiMessage: this.apiMessage, reason: this.reason };
  }
}
