import { CtpError, type CtpErrorOptions } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/** The auth server answered a grant, revoke or introspect request with an OAuth error. */
export class CtpOAuthError extends CtpError {
  /** The OAuth `error` field, e.g. `invalid_grant`. */
  readonly error: string | undefined;
  /** The OAuth `error_description` (or `message`), already stripped of any known secret. */
  readonly errorDescription: string | undefined;
  /** The token flow that failed, e.g. `refresh_token`. */
  readonly flow: string;

  constructor(
    code: CtpErrorCode,
    message: string,
    options: CtpErrorOptions & { error?: string | undefined; errorDescription?: string | undefined; flow: string },
  ) {
    super(code, message, options);
    this.error = options.error;
    this.errorDescription = options.errorDescription;
    this.flow = options.flow;
  }
}
