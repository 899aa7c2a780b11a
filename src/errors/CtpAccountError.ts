import { CtpError } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/**
 * A shopper-account operation refused for a reason the shopper can act on: the email is taken, the
 * draft is invalid (`fieldErrors`), a reset or verification token is unknown, expired or used, the
 * app's sender failed, or a changed password needs a new sign-in. The message is fixed; nothing the shopper typed is echoed in it.
 */
export class CtpAccountError extends CtpError {
  /** Each field error of a refused customer draft (at most 20): the platform's code and the field it names, never its value. */
  readonly fieldErrors: readonly { readonly code: string; readonly field?: string }[];

  constructor(
    code:
      | typeof CtpErrorCode.EmailTaken
      | typeof CtpErrorCode.CustomerDraftInvalid
      | typeof CtpErrorCode.AccountTokenInvalid
      | typeof CtpErrorCode.TokenSendFailed
      | typeof CtpErrorCode.PasswordChangedSignInAgain,
    message: string,
    options: {
      cause?: unknown;
      status?: number;
      response?: Response;
      fieldErrors?: readonly { readonly code: string; readonly field?: string }[];
    } = {},
  ) {
    super(code, message, options);
    this.fieldErrors = Object.freeze([...(options.fieldErrors ?? [])]);
  }

  override toJSON(): Record<string, unknown> {
    const { fieldErrors, ...json } = super.toJSON();
    return this.fieldErrors.length > 0 ? { ...json, fieldErrors } : json;
  }
}

/** One field error of a refused customer draft, for the library's own code. */
export type CtpFieldError = CtpAccountError['fieldErrors'][number];
