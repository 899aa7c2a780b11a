import { CtpError, type CtpErrorOptions } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/** Wrong email or password: one message for the token endpoint's and the login endpoints' words for it. */
export class CtpInvalidCredentialsError extends CtpError {
  constructor(options: CtpErrorOptions = {}) {
    super(CtpErrorCode.InvalidCredentials, 'Wrong email or password.', options);
  }
}
