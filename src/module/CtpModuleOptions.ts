import type { FetchLike } from '../auth/AuthTransport';
import type { RetryPolicy } from '../auth/RetryPolicy';
import type { ScopeSetName, ScopeSpec } from '../scopes/ScopeSetName';
import type { SessionStorage } from '../session/SessionStorage';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import type { Sleep } from '../util/sleep';

export interface CtpModuleOptions {
  /** Replaces whole scope sets; CTP_SCOPES (config.integrationScopes) wins for `integration`. */
  scopes?: Partial<Record<ScopeSetName, readonly ScopeSpec[]>>;
  /** See ScopeRegistryOptions: lets shopper tokens hold write scopes on shared data. Unsafe. */
  unsafeAllowSharedWriteScopesForShoppers?: boolean;
  /** Per attempt on the auth host (default 10 s). */
  authTimeoutMs?: number;
  /** Per API call (default 30 s). */
  apiTimeoutMs?: number;
  /** Retries on the auth host (default: 2 retries, 200 ms base, 5 s cap). */
  retry?: Partial<RetryPolicy>;
  /** Default: the global fetch, looked up on every call. */
  fetch?: FetchLike;
  /** Default: console-free silence. pino and console both fit. */
  logger?: Logger;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  /** Where the current shopper's session is; default: runWithCtpSession / ctpSessionMiddleware. */
  sessionStorage?: () => SessionStorage;
}
