/** Stable error codes: never renamed once released. docs/errors.md says what each means and what to do. */
export const CtpErrorCode = {
  /** The configuration (env, module options, scope registry) is invalid. */
  ConfigInvalid: 'CTP_CONFIG_INVALID',
  /** A guest, anonymous or customer scope set holds a scope on shared data: a non-`my` write, or a read beyond the public catalogue. */
  ScopeUnsafe: 'CTP_SCOPE_UNSAFE',
  /** The auth server refused the API client's id or secret (401 invalid_client). */
  InvalidClient: 'CTP_INVALID_CLIENT',
  /** The auth server refused the requested scopes (400 invalid_scope). */
  InvalidScope: 'CTP_INVALID_SCOPE',
  /** A granted token lacks a requested scope. */
  ScopeMissing: 'CTP_SCOPE_MISSING',
  /** A granted token holds a scope that was not requested (least privilege broken). */
  ScopeExcess: 'CTP_SCOPE_EXCESS',
  /** Wrong customer email or password, whichever endpoint said so. */
  InvalidCredentials: 'CTP_INVALID_CREDENTIALS',
  /** The shopper's session can no longer be refreshed; it was cleared. */
  SessionExpired: 'CTP_SESSION_EXPIRED',
  /** customerApiRoot()/CtpSession used outside runWithCtpSession or the middleware. */
  NoSessionContext: 'CTP_NO_SESSION_CONTEXT',
  /** The operation needs a logged-in customer or an existing session and there is none. */
  NoSession: 'CTP_NO_SESSION',
  /** The app's session storage failed to read or write. */
  SessionStorage: 'CTP_SESSION_STORAGE',
  /** The app's session storage did not answer within storageTimeoutMs. */
  SessionStorageTimeout: 'CTP_SESSION_STORAGE_TIMEOUT',
  /** The session changed under the operation (another sign-in won, or another shopper); nothing of it was kept. */
  SessionChanged: 'CTP_SESSION_CHANGED',
  /** The auth server answered something that is not a valid token response. */
  TokenResponseInvalid: 'CTP_TOKEN_RESPONSE_INVALID',
  /** The auth server answered with an OAuth error not covered by a more specific code. */
  AuthRejected: 'CTP_AUTH_REJECTED',
  /** The auth server failed (408, 425, 429, 5xx) after all retries. */
  AuthUnavailable: 'CTP_AUTH_UNAVAILABLE',
  /** The auth server could not be reached (DNS, reset, refused) after all retries. */
  AuthNetwork: 'CTP_AUTH_NETWORK',
  /** The auth server did not answer within the timeout, after all retries. */
  AuthTimeout: 'CTP_AUTH_TIMEOUT',
  /** The API (not auth) answered an error during an operation the library makes itself (login). */
  ApiRequestFailed: 'CTP_API_REQUEST_FAILED',
  /** An API call got no answer: refused, reset, DNS (after the retries it was allowed). `status` is 502. */
  ApiNetwork: 'CTP_API_NETWORK',
  /** An API call did not answer within its deadline (apiTimeoutMs per attempt, or its call deadline). `status` is 504. */
  ApiTimeout: 'CTP_API_TIMEOUT',
  /** An API call was cancelled through its AbortSignal (or by close()). `status` is 499. */
  ApiCancelled: 'CTP_API_CANCELLED',
  /** The API answered 400 (InvalidInput, InvalidOperation, ...: see `apiCodes`). */
  ApiBadRequest: 'CTP_API_BAD_REQUEST',
  /** The API answered 401 even after the token was renewed once. */
  ApiUnauthorized: 'CTP_API_UNAUTHORIZED',
  /** The API answered 403 (insufficient_scope: the token lacks a scope for this endpoint). */
  ApiForbidden: 'CTP_API_FORBIDDEN',
  /** The API answered 404 (ResourceNotFound). */
  ApiNotFound: 'CTP_API_NOT_FOUND',
  /** The API answered 409 (ConcurrentModification, DuplicateField...): see retryOnConflict. */
  ApiConflict: 'CTP_API_CONFLICT',
  /** The API answered 429 (after the retries it was allowed). */
  ApiRateLimited: 'CTP_API_RATE_LIMITED',
  /** The API answered 5xx (after the retries it was allowed). */
  ApiUnavailable: 'CTP_API_UNAVAILABLE',
  /** The API answered another error status (see `status`). */
  ApiFailed: 'CTP_API_FAILED',
  /** An API answer was larger than `api.maxAnswerBytes` decompressed; its connection was closed. `status` is 502. */
  ApiAnswerTooLarge: 'CTP_API_ANSWER_TOO_LARGE',
  /** Redis (shared token cache, fleet lock or session store) did not answer. */
  RedisUnavailable: 'CTP_REDIS_UNAVAILABLE',
  /** Another instance held the fleet lock for a token longer than lockWaitMs. */
  FleetLockTimeout: 'CTP_FLEET_LOCK_TIMEOUT',
  /** The auth host (or the sign-in call) answered more bytes than the cap; reading stopped there. */
  AnswerTooLarge: 'CTP_ANSWER_TOO_LARGE',
  /** The auth host (or the sign-in call) answered a redirect; it is never followed, the body never re-sent. */
  RedirectRefused: 'CTP_REDIRECT_REFUSED',
  /** A refresh answer named another customer or anonymous id than the session's; the session was kept as it was. */
  TokenIdentityMismatch: 'CTP_TOKEN_IDENTITY_MISMATCH',
  /** The session storage returned something that is not a valid token (wrong shape, absurd times, bad token). */
  StoredTokenInvalid: 'CTP_STORED_TOKEN_INVALID',
  /** Sign-up: an account with this email exists already (in this Store, for an in-store sign-up). */
  EmailTaken: 'CTP_EMAIL_TAKEN',
  /** Sign-up: the platform refused the customer draft; its field errors are in `.fieldErrors`. */
  CustomerDraftInvalid: 'CTP_CUSTOMER_DRAFT_INVALID',
  /** A password-reset or email-verification token is unknown, expired or used already. */
  AccountTokenInvalid: 'CTP_ACCOUNT_TOKEN_INVALID',
  /** changePassword: the password changed but the sign-in with it failed; the session was signed out. Sign in again. */
  PasswordChangedSignInAgain: 'CTP_PASSWORD_CHANGED_SIGN_IN_AGAIN',
  /** The app's sendToken(message) failed; the token was created but not delivered. */
  TokenSendFailed: 'CTP_TOKEN_SEND_FAILED',
  /** The operation names another Store than the session's: a shopper of one Store is never signed into another. */
  StoreMismatch: 'CTP_STORE_MISMATCH',
  /** checkoutSession() was called, but the `checkout` option (or CTP_CHECKOUT_APPLICATION_KEY) is not set. */
  CheckoutNotConfigured: 'CTP_CHECKOUT_NOT_CONFIGURED',
  /** checkoutSession(): the shopper has no active cart, the cart named is not the shopper's, or Checkout does not find it. */
  CheckoutCartNotFound: 'CTP_CHECKOUT_CART_NOT_FOUND',
  /** The Checkout session host refused the request (e.g. 403: the API client lacks manage_sessions); see `.status`, `.apiCode`. */
  CheckoutRefused: 'CTP_CHECKOUT_REFUSED',
  /** The Checkout session host could not be reached, did not answer in time, or answered 5xx. */
  CheckoutUnavailable: 'CTP_CHECKOUT_UNAVAILABLE',
  /** The Checkout session host answered something that is not a session (no id, no future expiryAt). */
  CheckoutAnswerInvalid: 'CTP_CHECKOUT_ANSWER_INVALID',
  /** The cart is locked by customer service (actAsCustomer with lockCart) for a shopper or another agent. Try later. */
  CartLocked: 'CTP_CART_LOCKED',
  /** actAsCustomer with lockCart: the customer has no active cart (in the Store named). */
  CartNotFound: 'CTP_CART_NOT_FOUND',
  /** actAsCustomer with lockCart: the callback ran past its deadline; the cart was unlocked. */
  CartLockTimeout: 'CTP_CART_LOCK_TIMEOUT',
  /** An argument of a call is not what it must be (e.g. a business unit key); `.argument` names it. */
  InvalidArgument: 'CTP_INVALID_ARGUMENT',
} as const;

export type CtpErrorCode = (typeof CtpErrorCode)[keyof typeof CtpErrorCode];
