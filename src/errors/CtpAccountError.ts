import { CtpError } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/** A shopper-account operation refused for a reason the shopper can act on; nothing the shopper typed is echoed. */
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
