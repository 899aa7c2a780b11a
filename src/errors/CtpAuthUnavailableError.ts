import { CtpError, type CtpErrorOptions } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/** The auth server was unreachable, too slow, or failing (5xx/429), after every retry. Transient. */
export class CtpAuthUnavailableError extends CtpError {
  readonly flow: string;
  readonly attempts: number;
  /** For CTP_AUTH_NETWORK: the network error of the last attempt, redacted and cut; never in `message`. */
  readonly reason: string | undefined;

  constructor(
    code: typeof CtpErrorCode.AuthUnavailable | typeof CtpErrorCode.AuthNetwork | typeof CtpErrorCode.AuthTimeout,
    message: string,
    options: CtpErrorOptions & { flow: string; attempts: number; reason?: string },
  ) {
    super(code, message, options);
    this.flow = options.flow;
    this.attempts = options.attempts;
    this.reason = options.reason;
  }
}
