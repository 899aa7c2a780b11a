import type { CtpSecret } from './CtpSecret';

/**
 * Where and as whom to talk to commercetools. Frozen. `clientSecret` is a CtpSecret, which prints as
 * "[redacted]" in every inspect mode and in JSON, so logging the config never shows it, while
 * `{ ...config, apiUrl }` still carries it.
 */
export interface CtpConfig {
  readonly projectKey: string;
  readonly clientId: string;
  readonly clientSecret: CtpSecret;
  /** e.g. https://auth.europe-west1.gcp.commercetools.com, no trailing slash, no credentials. */
  readonly authUrl: string;
  /** e.g. https://api.europe-west1.gcp.commercetools.com, no trailing slash, no credentials. */
  readonly apiUrl: string;
  /** From CTP_SCOPES: replaces the `integration` scope set when present (a scope name, or a Store-scoped one). */
  readonly integrationScopes?: readonly (string | { readonly name: string; readonly storeKey: string })[];
  /**
   * From CTP_REDIS_URL: share tokens and refresh locks between instances through this Redis.
   * Non-enumerable (it may hold a Redis password), so `{ ...config }` does not carry it: pass
   * `redis: { url }` in the module options to a spread copy.
   */
  readonly redisUrl?: string;
  /**
   * From CTP_CHECKOUT_APPLICATION_KEY and CTP_CHECKOUT_URL: commercetools Checkout, for
   * `ctpSession.checkoutSession()`. The module option `checkout` replaces it.
   */
  readonly checkout?: { readonly applicationKey: string; readonly url?: string };
}
