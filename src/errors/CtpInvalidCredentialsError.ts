import { CtpError, type CtpErrorOptions } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/**
 * Wrong email or password. The token endpoint says `invalid_customer_account_credentials`, the login
 * endpoints `InvalidCredentials`: the shopper is shown one message for both.
 */
export class CtpInvalidCredentialsError extends CtpError {
  constructor(options: CtpErrorOptions = {}) {
    super(CtpErrorCode.InvalidCredentials, 'Wrong email or password.', options);
  }
}
