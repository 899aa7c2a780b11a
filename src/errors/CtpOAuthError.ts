import { CtpError, type CtpErrorOptions } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

export interface CtpOAuthErrorOptions extends CtpErrorOptions {
  /** The OAuth `error` field, e.g. `invalid_grant`. */
  error?: string | undefined;
  /** The OAuth `error_description` (or `message`), already stripped of any known secret. */
  errorDescription?: string | undefined;
  /** The token flow that failed, e.g. `refresh_token`. */
  flow: string;
}

/** The auth server answered a grant, revoke or introspect request with an OAuth error. */
export class CtpOAuthError extends CtpError {
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  readonly flow: string;

  constructor(code: CtpErrorCode, message: string, options: CtpOAuthErrorOptions) {
    super(code, message, options);
    this.error = options.error;
    this.errorDescription = options.errorDescription;
    this.flow = options.flow;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), error: this.error, errorDescription: this.errorDescription, flow: this.flow };
  }
}
