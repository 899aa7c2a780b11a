import { CtpError, CtpErrorCode } from 'ctp-client';
import { BadRequestError } from './readBody';

const STATUS: Partial<Record<CtpErrorCode, number>> = {
  [CtpErrorCode.SessionExpired]: 401,
  [CtpErrorCode.NoSession]: 401,
  [CtpErrorCode.InvalidCredentials]: 400,
  [CtpErrorCode.AuthUnavailable]: 503,
  [CtpErrorCode.AuthNetwork]: 503,
  [CtpErrorCode.AuthTimeout]: 503,
  [CtpErrorCode.SessionStorageTimeout]: 503,
  [CtpErrorCode.SessionChanged]: 409,
  // API calls through the library's builders fail with CtpApiError (CTP_API_*).
  [CtpErrorCode.ApiNotFound]: 404,
  [CtpErrorCode.ApiBadRequest]: 400,
  [CtpErrorCode.ApiConflict]: 409,
  [CtpErrorCode.ApiUnavailable]: 503,
  [CtpErrorCode.ApiRateLimited]: 503,
  [CtpErrorCode.ApiNetwork]: 503,
  [CtpErrorCode.ApiTimeout]: 504,
  [CtpErrorCode.EmailTaken]: 409,
  [CtpErrorCode.CustomerDraftInvalid]: 400,
  [CtpErrorCode.AccountTokenInvalid]: 400,
  [CtpErrorCode.InvalidArgument]: 400,
  [CtpErrorCode.StoreMismatch]: 409,
  [CtpErrorCode.TokenSendFailed]: 502,
  // The new password holds; the session was signed out: the shopper signs in with it.
  [CtpErrorCode.PasswordChangedSignInAgain]: 401,
  // A token's scopes, or an associate's permissions in a business unit (AssociateMissingPermission).
  [CtpErrorCode.ApiForbidden]: 403,
};

/**
 * Maps an error to a status and a JSON body for the browser: a stable code and a short message,
 * never a stack trace or a token. The platform SDK's errors carry the API's status.
 */
export function errorToHttp(error: unknown): { status: number; body: { error: string; message: string } } {
  if (error instanceof BadRequestError) return { status: 400, body: { error: 'BAD_REQUEST', message: error.message } };
  // express.json()'s own errors (body-parser): the browser's request is at fault, not commercetools.
  const parserType = (error as { type?: unknown } | undefined)?.type;
  if (parserType === 'entity.parse.failed') return { status: 400, body: { error: 'BAD_REQUEST', message: 'The request body is not valid JSON.' } };
  if (parserType === 'entity.too.large') return { status: 413, body: { error: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' } };
  if (CtpError.is(error)) {
    const status = STATUS[error.code] ?? 500;
    return { status, body: { error: error.code, message: status === 500 ? 'Something went wrong talking to commercetools.' : error.message } };
  }
  const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (statusCode === 404) return { status: 404, body: { error: 'NOT_FOUND', message: 'Not found.' } };
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: 400, body: { error: 'BAD_REQUEST', message: 'commercetools refused the request.' } };
  }
  return { status: 500, body: { error: 'INTERNAL', message: 'Something went wrong.' } };
}
