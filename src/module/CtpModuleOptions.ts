import type { RedisLike } from '../fleet/RedisLike';
import type { LegacySessionStorage } from '../session/fromLegacyStorage';
import type { SessionStorage } from '../session/SessionStorage';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import type { ExternalRefresh } from '../session/ExternalRefresh';

// The option shapes are written out here rather than named, so the public surface stays the few
// names an app writes (api/ctp-client.api.md); the library's own code names them below.

export interface CtpModuleOptions {
  /**
   * Replaces whole scope sets (`integration`, `guest`, `anonymous`, `customer`, `customerService`;
   * `checkout` is `manage_sessions` alone); CTP_SCOPES (config.integrationScopes) wins for
   * `integration`. A scope is a name, or `{ name, storeKey }`.
   */
  scopes?: {
    integration?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    guest?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    anonymous?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    customer?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    customerService?: readonly (string | { readonly name: string; readonly storeKey: string })[];
    checkout?: readonly (string | { readonly name: string; readonly storeKey: string })[];
  };
  /**
   * See ScopeRegistryOptions: lets shopper tokens hold scopes on shared data, writes (`manage_orders`)
   * and reads of other shoppers' data (`view_orders`, `view_customers`, ...). Unsafe.
   */
  unsafeAllowSharedDataScopesForShoppers?: boolean;
  /** @deprecated The former name of unsafeAllowSharedDataScopesForShoppers; same effect. */
  unsafeAllowSharedWriteScopesForShoppers?: boolean;
  /** Per attempt on the auth host (default 3 s). Every ms option is at most 2^31-1 (Node's timer limit). */
  authTimeoutMs?: number;
  /**
   * Per attempt of an API call, until the answer's status and headers (default 30 s): past it the
   * request is aborted through its fetch signal, which closes its socket, and the attempt fails with
   * CTP_API_TIMEOUT (or is retried, when the request is safe to repeat). A whole call's own deadline
   * is set with withApiCallOptions({ timeoutMs }).
   */
  apiTimeoutMs?: number;
  /** How the API calls run: engine, retries, the app's own middlewares. */
  api?: {
    /**
     * `ts-client` (default: @commercetools/ts-client 4.10+ or 5, which every app has through
     * @commercetools/platform-sdk) or `sdk-client-v2` (@commercetools/sdk-client-v2 3.4+ or 4, deprecated
     * by commercetools; an optional peer dependency your app installs itself).
     */
    engine?: 'ts-client' | 'sdk-client-v2';
    /**
     * Cap on every API answer's body once decompressed, success or error (default 64 MiB, at most
     * 256 MiB). commercetools' largest legitimate answers (a query page of 500 results with expanded
     * references, a large GraphQL query) fit well under the default; past it reading stops, the
     * connection is closed and the call fails with CTP_API_ANSWER_TOO_LARGE, so a broken or hostile
     * answer (a gzip that inflates to gigabytes) cannot exhaust the process.
     */
    maxAnswerBytes?: number;
    /**
     * Resends of API requests that are safe to repeat (GET, HEAD, searches, GraphQL queries) on network
     * errors, 502, 503, 504 and 429 with Retry-After: full-jitter backoff (default: 2 retries, 200 ms
     * base, 5 s cap; a longer Retry-After ends the retries). `maxRetries: 0` turns them off.
     */
    retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
    /**
     * Your own SDK middlewares for the selected engine (e.g. a queue limit), placed after the
     * library's auth and before its HTTP middleware. They see every request and answer; the library's
     * retries and deadlines run below them, at the HTTP middleware's fetch.
     */
    middlewares?: readonly unknown[];
  };
  /**
   * OpenTelemetry, as its conventions for libraries ask: when `@opentelemetry/api` (an optional peer
   * dependency) is installed, the library's spans and metrics come from its global providers, so an
   * app that registers an OpenTelemetry SDK sees them with no option set. Spans for grants, refreshes,
   * fleet coordination, sign-in, sign-out, sign-up and password changes, one INTERNAL span per API
   * call (url.template, http.request.resend_count, ctp.token.owner; the undici instrumentation's HTTP
   * span nests under it), and metrics. The library starts no SDK. `false` turns it off; `{ api }`
   * uses another copy of the API.
   *
   * @example telemetry: false
   */
  telemetry?:
    | false
    | {
        /** `import * as api from '@opentelemetry/api'` (1.x); typed loosely so the package's types do not need it installed. */
        api: {
          trace: { getTracer(name: string, version?: string): unknown };
          metrics: { getMeter(name: string, version?: string): unknown };
        };
      };
  /** Your app's name for the User-Agent, e.g. `shop-bff/2.3.1` (no spaces): `ctp-client/0.1.0 node/20.19.0 shop-bff/2.3.1`. */
  appName?: string;
  /** Per session storage call (default 5 s): past it the operation fails with CTP_SESSION_STORAGE_TIMEOUT. */
  storageTimeoutMs?: number;
  /** How long a sign-out or refresh waits for revoking the tokens it drops (default 2 s); they go on in the background. A sign-in does not wait. */
  revokeWaitMs?: number;
  /** Retries on the auth host (default: 2 retries, 200 ms base, 5 s cap). */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /**
   * Default: the global fetch, looked up on every call. A replacement must honour `init.signal`, as
   * every fetch does: a timed-out API call is failed and its socket released through it.
   */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Default: console-free silence. pino and console both fit. */
  logger?: Logger;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Where the current shopper's session is; default: runWithCtpSession / ctpSessionMiddleware. */
  sessionStorage?: () => SessionStorage | LegacySessionStorage;
  /**
   * Sends a password-reset or email-verification token to the shopper (your email service). The
   * token reaches only this function; without it those operations fail with CTP_CONFIG_INVALID.
   */
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
  /**
   * commercetools Checkout, for `ctpSession.checkoutSession()`: the Checkout application's key, and
   * the session host when it is not `session.{region}` of the API host's region (default: the
   * config's, from CTP_CHECKOUT_APPLICATION_KEY and CTP_CHECKOUT_URL). Its token holds
   * `manage_sessions` only (the `checkout` scope set).
   */
  checkout?: { applicationKey: string; url?: string };
  /**
   * Shoppers signed in at your identity provider (`ctpSession.loginExternal`): `refresh` renews their
   * sessions on every instance and request, since a session read back from the store carries no
   * callback (loginExternal's own `refresh` serves only the process that signed in). It answers the
   * provider's new token, or undefined when the provider's session ended (then the session is
   * cleared); throwing keeps the session until the token expires. Without it, such a session ends
   * when its token expires. See docs/external-identity.md.
   */
  externalAuth?: { refresh: ExternalRefresh };
  /** Several instances: one grant per shared token and one refresh per session for the whole fleet. */
  redis?: {
    /**
     * Your client (ioredis fits, a `Cluster` too); you close it, close() leaves it open. Without it,
     * one is made from `clusterUrls`, `url` or config.redisUrl (CTP_REDIS_URL), and close() quits that one.
     */
    client?: RedisLike;
    url?: string;
    /**
     * A Redis Cluster: some or all of its nodes' redis:// (or rediss://) URLs, e.g.
     * `['redis://10.0.0.1:6379', 'redis://10.0.0.2:6379']`; the client discovers the other nodes.
     * The library makes an ioredis Cluster from them (closed by close()); it wins over CTP_REDIS_URL.
     * All URLs carry the same credentials and scheme. Not together with `url`.
     */
    clusterUrls?: readonly string[];
    /**
     * Default `ctp:`. A `{tag}` in it puts every key of the library in one Redis Cluster slot; without
     * one, each token's keys share their own slot.
     */
    keyPrefix?: string;
    /** A lock whose holder died frees itself after this long (default 10 s). */
    lockTtlMs?: number;
    /** How long an instance waits for another's grant (default 15 s). */
    lockWaitMs?: number;
    /**
     * A waiting instance is woken when the result is published (Redis pub/sub); it looks again on its
     * own only this often, as a fallback for a lost message or a holder that died (default 1 000 ms;
     * at most 50 ms until its subscription is confirmed, or with a client without `duplicate()`).
     */
    pollMs?: number;
    /** Made from a URL (or cluster URLs): how long a Redis command may take (default 2 s), and the bound of each step of closing it. */
    commandTimeoutMs?: number;
    /** When Redis does not answer, coordinate per process and log it, instead of failing (default false). */
    fallbackToLocal?: boolean;
    /**
     * The in-process cache every RedisSessionStorage on this client uses, kept coherent across
     * instances by pub/sub: `maxEntries` sessions (default 10 000), each read from Redis again after
     * `maxAgeMs` (default 60 000) at the latest. `false`: every API call reads the session from Redis.
     */
    sessionCache?: false | { maxEntries?: number; maxAgeMs?: number };
  };
}

/** The option groups by name, for the library's own code. */
export type ApiOptions = NonNullable<CtpModuleOptions['api']>;
export type RedisOptions = NonNullable<CtpModuleOptions['redis']>;
