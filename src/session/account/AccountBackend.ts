import type { CustomerDraft } from './CustomerDraft';

/** A CustomerToken as the platform answers it (password reset, email verification). */
export interface IssuedCustomerToken {
  readonly customerId: string;
  readonly value: string;
  readonly expiresAt: string;
}

/**
 * The commercetools calls the account operations make, one method each; the HTTP one is
 * HttpAccountBackend. Each throws typed errors (CtpAccountError, CtpInvalidCredentialsError,
 * CtpApiError) with fixed messages.
 */
export interface AccountBackend {
  /** `POST /customers` in the integration's name (the cart moves afterwards, by the sign-in). */
  createCustomer(draft: CustomerDraft, storeKey: string | undefined): Promise<{ customerId: string }>;
  /** `POST /me/password` in the shopper's own name (after `GET /me` for the version); answers the email. */
  changeMyPassword(
    accessToken: string,
    currentPassword: string,
    newPassword: string,
    storeKey: string | undefined,
  ): Promise<{ email: string }>;
  /** `POST /customers/password-token`; undefined when no customer has this email. */
  createPasswordToken(
    email: string,
    storeKey: string | undefined,
    ttlMinutes: number | undefined,
  ): Promise<IssuedCustomerToken | undefined>;
  /** `POST /customers/password/reset`; answers whose password it was. */
  resetPassword(tokenValue: string, newPassword: string, storeKey: string | undefined): Promise<{ customerId: string }>;
  /** `POST /customers/email-token`, with the customer's email for the message. */
  createEmailToken(
    customerId: string,
    storeKey: string | undefined,
    ttlMinutes: number,
  ): Promise<IssuedCustomerToken & { email: string }>;
  /** `POST /customers/email/confirm`. */
  confirmEmail(tokenValue: string, storeKey: string | undefined): Promise<{ customerId: string }>;
}
