import { CtpError, type CtpErrorOptions } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/** The auth server was unreachable, too slow, or failing (5xx/429), after every retry. Transient. */
export class CtpAuthUnavailableError extends CtpError {
  readonly flow: string;
  readonly attempts: number;

  constructor(
    code: typeof CtpErrorCode.AuthUnavailable | typeof CtpErrorCode.AuthNetwork | typeof CtpErrorCode.AuthTimeout,
    message: string,
    options: CtpErrorOptions & { flow: string; attempts: number },
  ) {
    super(code, message, options);
    this.flow = options.flow;
    this.attempts = options.attempts;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), flow: this.flow, attempts: this.attempts };
  }
}
