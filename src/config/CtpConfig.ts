import type { ScopeSpec } from '../scopes/ScopeSetName';

/**
 * Where and as whom to talk to commercetools. Frozen; `clientSecret` is non-enumerable so that
 * logging or serialising the config never prints it.
 */
export interface CtpConfig {
  readonly projectKey: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** e.g. https://auth.europe-west1.gcp.commercetools.com, no trailing slash. */
  readonly authUrl: string;
  /** e.g. https://api.europe-west1.gcp.commercetools.com, no trailing slash. */
  readonly apiUrl: string;
  /** From CTP_SCOPES: replaces the `integration` scope set when present. */
  readonly integrationScopes?: readonly ScopeSpec[];
  /** From CTP_REDIS_URL: share tokens and refresh locks between instances through this Redis. */
  readonly redisUrl?: string;
}
