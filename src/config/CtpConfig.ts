import type { CtpSecret } from './CtpSecret';

/** Where and as whom to talk to commercetools. Frozen; `clientSecret` prints as "[redacted]" (a CtpSecret). */
export interface CtpConfig {
  readonly projectKey: string;
  readonly clientId: string;
  readonly clientSecret: CtpSecret;
  /** e.g. https://auth.europe-west1.gcp.commercetools.com, no trailing slash. */
  readonly authUrl: string;
  /** e.g. https://api.europe-west1.gcp.commercetools.com, no trailing slash. */
  readonly apiUrl: string;
  /** From CTP_SCOPES: replaces the `integration` scope set. */
  readonly integrationScopes?: readonly (string | { readonly name: string; readonly storeKey: string })[];
  /** From CTP_REDIS_URL. Not enumerable (it may hold a password): a spread copy needs `redis: { url }` in the options. */
  readonly redisUrl?: string;
  /** From CTP_CHECKOUT_APPLICATION_KEY and CTP_CHECKOUT_URL; the module option `checkout` replaces it. */
  readonly checkout?: { readonly applicationKey: string; readonly url?: string };
}
