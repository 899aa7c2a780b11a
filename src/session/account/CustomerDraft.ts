import type { AnonymousCartSignInMode } from '../CustomerSignIn';

/**
 * What a shopper signs up with: commercetools' CustomerDraft minus what the library sets itself
 * (`anonymousId`, from the session only, so the anonymous cart moves to the new customer).
 */
export interface CustomerDraft {
  readonly email: string;
  readonly password: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly key?: string;
  readonly locale?: string;
  /** Any other CustomerDraft field (addresses, custom...), sent as given. */
  readonly [field: string]: unknown;
}

/** The options of CtpSession's account operations, documented there. */
export type StoreOption = { readonly storeKey?: string };
export type SignUpOptions = StoreOption & { readonly anonymousCartSignInMode?: AnonymousCartSignInMode };

/** What the app's sender gets: it sends the email; the token reaches nobody else. */
export interface CtpTokenMessage {
  readonly kind: 'password-reset' | 'email-verification';
  readonly email: string;
  readonly customerId: string;
  /** The secret to put into the link; never log it. */
  readonly tokenValue: string;
  /** ISO 8601, as the platform answered. */
  readonly expiresAt: string;
  readonly storeKey?: string;
}

/** The `sendToken` module option. */
export type CtpTokenSender = (message: CtpTokenMessage) => Promise<void>;
