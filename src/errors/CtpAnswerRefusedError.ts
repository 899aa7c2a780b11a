import { CtpError, type CtpErrorOptions } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/** An answer too large, or a redirect: not a verdict on the credentials, so a session treats it as transient. */
export class CtpAnswerRefusedError extends CtpError {
  /** Which host answered: the auth host or the API (the sign-in call). */
  readonly host: 'auth' | 'api';
  /** The request that got the answer, e.g. `refresh_token` or `login`. */
  readonly flow: string;
  /** The size cap in bytes, for CTP_ANSWER_TOO_LARGE. */
  readonly limitBytes: number | undefined;

  constructor(
    code: typeof CtpErrorCode.AnswerTooLarge | typeof CtpErrorCode.RedirectRefused,
    message: string,
    options: CtpErrorOptions & { host: 'auth' | 'api'; flow: string; limitBytes?: number },
  ) {
    super(code, message, options);
    this.host = options.host;
    this.flow = options.flow;
    this.limitBytes = options.limitBytes;
  }
}
