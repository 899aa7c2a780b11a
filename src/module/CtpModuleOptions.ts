import type { RedisLike } from '../fleet/RedisLike';
import type { LegacySessionStorage } from '../session/fromLegacyStorage';
import type { SessionStorage } from '../session/SessionStorage';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import type { ExternalRefresh } from '../session/ExternalRefresh';

// The option shapes are written out rather than named, so the public surface stays the few names an
// app writes (api/ctp-client.api.md). Defaults and details: docs/configuration.md.

export interface CtpModuleOptions {
  /**
   * Replaces whole scope sets (`checkout` is `manage_sessions` alone); CTP_SCOPES wins for `integration`.
   * A scope is a name, or `{ name, storeKey }`.
   */
  scopes?: {
    integration?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    guest?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    anonymous?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    customer?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    customerService?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    checkout?: readonly (string | { readonly name: string; readonly storeKey: string })[];
  };
  /** Unsafe: lets shopper tokens hold scopes on shared data (`manage_orders`, `view_customers`...). */
  unsafeAllowSharedDataScopesForShoppers?: boolean;
  /** @deprecated The former name of unsafeAllowSharedDataScopesForShoppers; same effect. */
  unsafeAllowSharedWriteScopesForShoppers?: boolean;
  /** Per attempt on the auth host (default 3 s). Every ms option is at most 2^31-1 (Node's timer limit). */
  authTimeoutMs?: number;
  /** Per attempt of an API call (default 30 s); past it the request is aborted: CTP_API_TIMEOUT, or a resend. */
  apiTimeoutMs?: number;
  /** How the API calls run: engine, retries, answer size cap, the app's own middlewares. */
  api?: {
    /** `ts-client` (default) or `sdk-client-v2` (an optional peer dependency your app installs). */
    engine?: 'ts-client' | 'sdk-client-v2';
    /** Cap on an answer's decompressed body (default 64 MiB, at most 256 MiB): CTP_API_ANSWER_TOO_LARGE past it. */
    maxAnswerBytes?: number;
    /** Resends of requests safe to repeat (default: 2 retries, 200 ms base, 5 s cap); `maxRetries: 0`: none. */
    retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
    /** Your own SDK middlewares for the engine, between the library's auth and HTTP middlewares. */
    middlewares?: readonly unknown[];
  };
  /**
   * OpenTelemetry spans and metrics, from the global providers when `@opentelemetry/api` is installed.
   * `false` turns them off; `{ api }` uses another copy of the API.
   */
  telemetry?:
    | false
    | {
        /** `import * as api from '@opentelemetry/api'` (1.x), typed loosely: our types do not need it installed. */
        api: {
          trace: { getTracer(name: string, version?: string): unknown };
          metrics: { getMeter(name: string, version?: string): unknown };
        };
      };
  /** Your app's name for the User-Agent, e.g. `shop-bff/2.3.1` (no spaces). */
  appName?: string;
  /** Per session storage call (default 5 s): past it the operation fails with CTP_SESSION_STORAGE_TIMEOUT. */
  storageTimeoutMs?: number;
  /** How long a sign-out or refresh waits for revoking the tokens it drops (default 2 s). */
  revokeWaitMs?: number;
  /** Retries on the auth host (default: 2 retries, 200 ms base, 5 s cap). */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Default: the global fetch, looked up on every call. A replacement must honour `init.signal`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Default: silence. pino and console both fit. */
  logger?: Logger;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Where the current shopper's session is; default: runWithCtpSession / ctpSessionMiddleware. */
  sessionStorage?: () => SessionStorage | LegacySessionStorage;
  /** Sends a password-reset or email-verification token (your mailer); without it both fail: CTP_CONFIG_INVALID. */
  sendToken?: (message: {
    readonly kind: 'password-reset' | 'email-verification';
    readonly email: string;
    readonly customerId: string;
    /** The secret to put into the link; never log it. */
    readonly tokenValue: string;
    /** ISO 8601, as the platform answered. */
    readonly expiresAt: string;
    readonly storeKey?: string;
  }) => Promise<void>;
  /** requestPasswordReset answers no sooner than this, whether or not the email exists (default 1 000 ms). */
  passwordResetFloorMs?: number;
  /** commercetools Checkout: the application's key, and the session host if not the API region's (default: config). */
  checkout?: { applicationKey: string; url?: string };
  /**
   * Renews sessions of shoppers signed in at your identity provider, on every instance (see
   * docs/external-identity.md): the provider's new token, or undefined when its session ended.
   */
  externalAuth?: { refresh: ExternalRefresh };
  /** Several instances: one grant per shared token and one refresh per session for the whole fleet. */
  redis?: {
    /** Your client (ioredis, a `Cluster` too); close() leaves it open. Without it, one is made from the URLs. */
    client?: RedisLike;
    url?: string;
    /** Some or all nodes' redis:// URLs of a Redis Cluster (same credentials and scheme); not with `url`. */
    clusterUrls?: readonly string[];
    /** Default `ctp:`. A `{tag}` in it puts every key of the library in one Redis Cluster slot. */
    keyPrefix?: string;
    /** A lock whose holder died frees itself after this long (default 10 s). */
    lockTtlMs?: number;
    /** How long an instance waits for another's grant (default 15 s). */
    lockWaitMs?: number;
    /** The fallback poll of a waiting instance, woken by pub/sub otherwise (default 1 000 ms). */
    pollMs?: number;
    /** For a client made from URLs: how long a command may take (default 2 s). */
    commandTimeoutMs?: number;
    /** When Redis does not answer, coordinate per process and log it, instead of failing (default false). */
    fallbackToLocal?: boolean;
    /** In-process session cache, coherent by pub/sub (default 10 000 sessions, 60 s max age); `false`: none. */
    sessionCache?: false | { maxEntries?: number; maxAgeMs?: number };
  };
}

/** The option groups by name, for the library's own code. */
export type ApiOptions = NonNullable<CtpModuleOptions['api']>;
export type RedisOptions = NonNullable<CtpModuleOptions['redis']>;
