import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';

// The texts of the 5xx answers: the browser learns that the backend failed, not how.
const FAILED = 'Something went wrong. Please try again later.';
const UPSTREAM = 'commercetools answered something unexpected. Please try again later.';
const UNAVAILABLE = 'commercetools is unavailable right now. Please try again.';
const TOO_SLOW = 'commercetools did not answer in time. Please try again.';

/**
 * Every code's status and text; a Record, so a new code does not compile without one. 500: this server's
 * fault, 502: an unusable answer of commercetools, 503: it (or a store) down or busy, 504: past a deadline.
 */
const ANSWERS: Record<CtpErrorCode, readonly [status: number, message: string]> = {
  [CtpErrorCode.ConfigInvalid]: [500, FAILED],
  [CtpErrorCode.ScopeUnsafe]: [500, FAILED],
  [CtpErrorCode.InvalidClient]: [500, FAILED],
  [CtpErrorCode.InvalidScope]: [500, FAILED],
  [CtpErrorCode.ScopeMissing]: [500, FAILED],
  [CtpErrorCode.ScopeExcess]: [500, FAILED],
  [CtpErrorCode.InvalidCredentials]: [400, 'Wrong email or password.'],
  [CtpErrorCode.SessionExpired]: [401, 'Your session has expired. Please sign in again.'],
  [CtpErrorCode.NoSessionContext]: [500, FAILED],
  [CtpErrorCode.NoSession]: [401, 'Please sign in first.'],
  [CtpErrorCode.SessionStorage]: [500, FAILED],
  [CtpErrorCode.SessionStorageTimeout]: [503, 'The session store did not answer in time. Please try again.'],
  [CtpErrorCode.SessionChanged]: [
    409,
    'The session changed during this request (another sign-in or sign-out). Please try again.',
  ],
  [CtpErrorCode.TokenResponseInvalid]: [502, UPSTREAM],
  [CtpErrorCode.AuthRejected]: [500, FAILED],
  [CtpErrorCode.AuthUnavailable]: [503, UNAVAILABLE],
  [CtpErrorCode.AuthNetwork]: [503, UNAVAILABLE],
  [CtpErrorCode.AuthTimeout]: [503, UNAVAILABLE],
  [CtpErrorCode.ApiRequestFailed]: [502, UPSTREAM],
  [CtpErrorCode.ApiNetwork]: [503, UNAVAILABLE],
  [CtpErrorCode.ApiTimeout]: [504, TOO_SLOW],
  [CtpErrorCode.ApiAnswerTooLarge]: [502, UPSTREAM],
  // Cancelled by the request's own signal (the browser is gone) or by close() (the server is stopping).
  [CtpErrorCode.ApiCancelled]: [503, 'The request was cancelled. Please try again.'],
  [CtpErrorCode.ApiBadRequest]: [400, 'commercetools refused the request as invalid.'],
  // A 401 even after a renewed token: this server's credentials, not the shopper's.
  [CtpErrorCode.ApiUnauthorized]: [500, FAILED],
  // A token's scopes, or an associate's permissions in a business unit.
  [CtpErrorCode.ApiForbidden]: [403, 'This is not allowed for you.'],
  [CtpErrorCode.ApiNotFound]: [404, 'Not found.'],
  [CtpErrorCode.ApiConflict]: [409, 'The resource was changed meanwhile. Please reload and try again.'],
  // commercetools' rate limit is this server's, not the browser's: 503, not 429.
  [CtpErrorCode.ApiRateLimited]: [503, UNAVAILABLE],
  [CtpErrorCode.ApiUnavailable]: [503, UNAVAILABLE],
  [CtpErrorCode.ApiFailed]: [502, UPSTREAM],
  [CtpErrorCode.RedisUnavailable]: [503, 'A backing service is unavailable right now. Please try again.'],
  [CtpErrorCode.FleetLockTimeout]: [503, 'The server is busy. Please try again.'],
  [CtpErrorCode.AnswerTooLarge]: [502, UPSTREAM],
  [CtpErrorCode.RedirectRefused]: [502, UPSTREAM],
  [CtpErrorCode.TokenIdentityMismatch]: [502, UPSTREAM],
  [CtpErrorCode.StoredTokenInvalid]: [500, FAILED],
  [CtpErrorCode.EmailTaken]: [409, 'An account with this email exists already.'],
  [CtpErrorCode.CustomerDraftInvalid]: [400, 'The account details are not valid.'],
  [CtpErrorCode.AccountTokenInvalid]: [400, 'This link is invalid, expired or used already.'],
  // The new password holds; the session was signed out.
  [CtpErrorCode.PasswordChangedSignInAgain]: [401, 'Your password was changed. Please sign in with the new one.'],
  [CtpErrorCode.TokenSendFailed]: [502, 'The message could not be sent. Please try again later.'],
  [CtpErrorCode.StoreMismatch]: [409, 'You are signed in to another store.'],
  [CtpErrorCode.InvalidArgument]: [400, 'The request is not valid.'],
  [CtpErrorCode.CheckoutNotConfigured]: [500, FAILED],
  [CtpErrorCode.CheckoutCartNotFound]: [404, 'There is no cart to check out.'],
  // The API client lacks manage_sessions, or the application key is wrong: this server's fault.
  [CtpErrorCode.CheckoutRefused]: [500, FAILED],
  [CtpErrorCode.CheckoutUnavailable]: [503, UNAVAILABLE],
  [CtpErrorCode.CheckoutAnswerInvalid]: [502, UPSTREAM],
  [CtpErrorCode.CartLocked]: [409, 'Customer service is working on this cart. Please try again in a moment.'],
  [CtpErrorCode.CartNotFound]: [404, 'There is no active cart.'],
  [CtpErrorCode.CartLockTimeout]: [504, TOO_SLOW],
};

/** A request the framework could not read, marked for the client by http-errors (`expose`, a 4xx status). */
const CLIENT_ERRORS: Record<number, readonly [code: string, message: string]> = {
  400: ['BAD_REQUEST', 'The request could not be read.'],
  413: ['PAYLOAD_TOO_LARGE', 'The request body is too large.'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'The request body has an unsupported content type.'],
};
const PARSE_FAILED = 'The request body is not valid JSON.';

/**
 * The status and body to answer for an error: each CtpErrorCode's status and fixed text, a body
 * parser's 4xx refusal (http-errors with `expose`) as such, anything else 500 INTERNAL. The error's
 * own message never reaches the body (it may quote an upstream answer): log it (ctpErrorHandler's `log`).
 *
 * @example
 * const { status, body } = ctpErrorResponse(error);
 * res.status(status).json(body);
 */
export function ctpErrorResponse(error: unknown): {
  status: number;
  body: {
    /** A CtpErrorCode; BAD_REQUEST, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE or CLIENT_ERROR for a request the server could not read; or INTERNAL. */
    error: string;
    /** A fixed text of this library: never the error's own message, server data, a token or a secret. */
    message: string;
  };
} {
  if (CtpError.is(error)) {
    // Object.hasOwn: a code of a newer copy of the library, unknown to this table, is a 500.
    const [status, message] = Object.hasOwn(ANSWERS, error.code) ? ANSWERS[error.code] : [500, FAILED];
    return { status, body: { error: error.code, message } };
  }
  const given = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const code = typeof given.status === 'number' ? given.status : given.statusCode;
  if (given.expose !== true || typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 499)
    return { status: 500, body: { error: 'INTERNAL', message: FAILED } };
  const [name, text] = CLIENT_ERRORS[code] ?? ['CLIENT_ERROR', 'The request could not be served.'];
  return { status: code, body: { error: name, message: given.type === 'entity.parse.failed' ? PARSE_FAILED : text } };
}
