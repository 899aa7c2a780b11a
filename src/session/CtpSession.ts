import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { CustomerDraft } from './account/CustomerDraft';
import type { ExternalRefresh } from './ExternalRefresh';

/**
 * The current shopper's commercetools session (inject `'CtpSession'`), kept in the app's session
 * through its SessionStorage: anonymous until sign-in, refreshed by the library. Every method acts on
 * the current request's session (ctpSessionMiddleware or runWithCtpSession). Tokens and passwords go
 * only to commercetools, never into a log or an error.
 *
 * @example
 * await regenerateSession(req); // a new session id first (no session fixation)
 * await this.ctpSession.login(email, password);
 */
export interface CtpSession {
  /** The stored token, as it is (no refresh), or undefined. */
  current(): Promise<CtpAuthToken | undefined>;
  /** The session's token, starting an anonymous session if there is none. */
  ensureAnonymous(options?: { storeKey?: string }): Promise<CtpAuthToken>;
  /**
   * A token valid now: the stored one (inside its renewal margin it serves while a refresh runs in the
   * background), a refreshed one if it expired, or (with createAnonymous) a new anonymous session.
   */
  accessToken(options?: {
    /** Start an anonymous session when there is none (default true). */
    createAnonymous?: boolean;
    /** The shopper's Store: an anonymous start is that Store's; a session of another Store fails with CTP_STORE_MISMATCH. */
    storeKey?: string;
  }): Promise<CtpAuthToken>;
  /**
   * Signs a customer in (password grant); an anonymous session's cart moves to the customer. Wrong
   * credentials: CTP_INVALID_CREDENTIALS, nothing changed; a sign-in stored meanwhile: CTP_SESSION_CHANGED.
   */
  login(
    email: string,
    password: string,
    options?: {
      /** A customer of this Store (in-store endpoints); default: the session's Store. */
      storeKey?: string;
      /** What happens to the anonymous cart; commercetools' default is MergeWithExistingCustomerCart. */
      anonymousCartSignInMode?: 'MergeWithExistingCustomerCart' | 'UseAsNewActiveCustomerCart';
    },
  ): Promise<CtpAuthToken>;
  /**
   * Signs in a customer of the app's identity provider (docs/external-identity.md): the session holds the
   * provider's `token`, renewed near `expiresAt` by `refresh`, else the module's `externalAuth.refresh`,
   * else it ends; an anonymous cart goes to the customer by Merge Cart. Bad arguments: CTP_INVALID_ARGUMENT.
   */
  loginExternal(
    token: string,
    options: {
      /** The commercetools customer the token is for (the introspection's `customer_id`). */
      customerId: string;
      /** When the provider's token expires. */
      expiresAt: Date;
      /** Renews this session in this process: a new token, or undefined when the provider's session ended. */
      refresh?: ExternalRefresh;
      /** A customer of this Store (in-store Merge Cart); default: the session's Store. */
      storeKey?: string;
      /** What happens to the anonymous cart (Merge Cart's mergeMode); default MergeWithExistingCustomerCart. */
      anonymousCartSignInMode?: 'MergeWithExistingCustomerCart' | 'UseAsNewActiveCustomerCart';
    },
  ): Promise<CtpAuthToken>;
  /** Clears the session and revokes the tokens the library obtained; the clearing stays even if revoking fails. */
  logout(): Promise<void>;
  /** Creates the customer, then signs them in as login() does. */
  signUp(
    draft: CustomerDraft,
    options?: {
      /** A customer of this Store (in-store endpoints); default: the session's Store. */
      storeKey?: string;
      /** What happens to the anonymous cart; commercetools' default is MergeWithExistingCustomerCart. */
      anonymousCartSignInMode?: 'MergeWithExistingCustomerCart' | 'UseAsNewActiveCustomerCart';
    },
  ): Promise<CtpAuthToken>;
  /** Changes the signed-in customer's password; the session goes on with fresh tokens. */
  changePassword(currentPassword: string, newPassword: string): Promise<CtpAuthToken>;
  /** Hands a password reset token to the module option `sendToken`; answers alike whether or not the email exists. */
  requestPasswordReset(email: string, options?: { storeKey?: string }): Promise<void>;
  /** Sets a new password with a reset token; this session is signed out if it is that customer's. */
  resetPassword(tokenValue: string, newPassword: string, options?: { storeKey?: string }): Promise<void>;
  /** Creates an email verification token for the signed-in customer and hands it to `sendToken`. */
  requestEmailVerification(): Promise<void>;
  /** Confirms a customer's email with a verification token. */
  confirmEmail(tokenValue: string, options?: { storeKey?: string }): Promise<void>;
  /** The signed-in customer's id, from the verified session token only; CTP_NO_SESSION otherwise. */
  customerId(): Promise<string>;
  /**
   * A Checkout session for the shopper's active cart (or `cartId`, checked as theirs), kept per cart until
   * near its end: hand `sessionId` to the Checkout Browser SDK. Needs the `checkout` option; fails CTP_CHECKOUT_*.
   */
  checkoutSession(options?: { cartId?: string }): Promise<{ sessionId: string; expiresAt: Date }>;
  /** Resolves when every revocation and refresh started so far (background ones included) has finished: for tests. */
  settled(): Promise<void>;
}

export type AccessTokenOptions = NonNullable<Parameters<CtpSession['accessToken']>[0]>;
export type LoginOptions = NonNullable<Parameters<CtpSession['login']>[2]>;
