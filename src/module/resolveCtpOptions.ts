import { DEFAULT_AUTH_TIMEOUT_MS, type FetchLike } from '../auth/AuthTransport';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../auth/RetryPolicy';
import { API_ENGINE_NAMES } from '../client/ApiEngine';
import { DEFAULT_MAX_ANSWER_BYTES, MAX_API_ANSWER_BYTES } from '../client/ApiRootFactory';
import { checkoutProblems, resolveCheckout } from '../config/checkoutSettings';
import type { CtpConfig } from '../config/CtpConfig';
import { REDIS_URL } from '../config/createCtpConfig';
import { CtpConfigError } from '../errors/CtpConfigError';
import type { RedisLike } from '../fleet/RedisLike';
import { scopeSetProblems } from '../scopes/knownScopes';
import { SCOPE_SET_NAMES } from '../scopes/ScopeSetName';
import { currentSessionStorage } from '../session/sessionContext';
import { loadOtelApi, type OtelApi } from '../telemetry/OtelApi';
import { systemClock } from '../util/Clock';
import { MAX_TIMEOUT_MS } from '../util/deadline';
import { silentLogger } from '../util/Logger';
import { timerSleep } from '../util/sleep';
import { isValidAppName, userAgent } from '../util/userAgent';
import type { CtpModuleOptions, RedisOptions } from './CtpModuleOptions';
import { unknownOptionProblems } from './unknownOptionProblems';

/** The app's own Redis client (kept open), or what the library makes one from (closed by close()). */
export type RedisSource =
  | { kind: 'given'; client: RedisLike }
  | { kind: 'url'; url: string; commandTimeoutMs: number }
  | { kind: 'cluster'; urls: readonly string[]; commandTimeoutMs: number };

/** Validates the options (every problem at once, in a CtpConfigError) and applies the defaults: the one place each is read. */
export function resolveCtpOptions(config: CtpConfig, options: CtpModuleOptions = {}) {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CtpConfigError([
      'options (the second argument) must be an object of CtpModuleOptions, e.g. { authTimeoutMs: 5_000 }, or left out',
    ]);
  }
  const problems = [...unknownOptionProblems(options), ...valueProblems(options)];
  const checkoutSettings = options.checkout ?? config.checkout;
  const checkout =
    checkoutSettings === undefined || problems.length > 0
      ? undefined
      : resolveCheckout(checkoutSettings, config.apiUrl);
  if (checkout !== undefined && checkout.url === undefined)
    problems.push(
      `checkout.url (CTP_CHECKOUT_URL) is missing: the API host ${config.apiUrl} is not a commercetools region's, so the Checkout session host cannot be derived from it`,
    );
  if (problems.length > 0) throw new CtpConfigError(problems);
  const { api = {}, redis = {}, telemetry, fetch: appFetch } = options;
  const source = redisSource(config, redis);
  return {
    scopes: { ...options.scopes, ...(config.integrationScopes ? { integration: config.integrationScopes } : {}) },
    unsafeAllowSharedDataScopesForShoppers:
      options.unsafeAllowSharedDataScopesForShoppers ?? options.unsafeAllowSharedWriteScopesForShoppers ?? false,
    authTimeoutMs: options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS,
    apiTimeoutMs: options.apiTimeoutMs ?? 30_000,
    storageTimeoutMs: options.storageTimeoutMs ?? 5_000,
    revokeWaitMs: options.revokeWaitMs ?? 2_000,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    api: {
      engine: api.engine ?? 'ts-client',
      retry: { ...DEFAULT_RETRY_POLICY, ...api.retry },
      middlewares: api.middlewares ?? [],
      maxAnswerBytes: api.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES,
    },
    // Typed loosely in the options (our types must not need @opentelemetry/api); OtelApi describes that module.
    telemetry: telemetry === false ? undefined : ((telemetry?.api as OtelApi | undefined) ?? loadOtelApi()),
    userAgent: userAgent(options.appName),
    // Looked up per call, so a fetch replaced after start-up (tests, instrumentation) still applies.
    fetch: (): FetchLike => appFetch ?? ((input, init) => globalThis.fetch(input, init)),
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? timerSleep,
    random: options.random ?? Math.random,
    sessionStorage: options.sessionStorage ?? currentSessionStorage,
    sendToken: options.sendToken,
    passwordResetFloorMs: options.passwordResetFloorMs,
    // Undefined: checkoutSession() answers CTP_CHECKOUT_NOT_CONFIGURED.
    checkout: checkout as { applicationKey: string; url: string } | undefined,
    externalRefresh: options.externalAuth?.refresh,
    redis:
      source === undefined
        ? undefined
        : {
            source,
            keyPrefix: redis.keyPrefix ?? 'ctp:',
            lockTtlMs: redis.lockTtlMs ?? 10_000,
            lockWaitMs: redis.lockWaitMs ?? 15_000,
            pollMs: redis.pollMs ?? 1_000,
            fallbackToLocal: redis.fallbackToLocal === true,
            sessionCache:
              redis.sessionCache === false
                ? undefined
                : {
                    maxEntries: redis.sessionCache?.maxEntries ?? 10_000,
                    maxAgeMs: redis.sessionCache?.maxAgeMs ?? 60_000,
                  },
          },
  };
}

/** The app's client first, then cluster URLs, then a URL (the options' before CTP_REDIS_URL). */
function redisSource(config: CtpConfig, redis: RedisOptions): RedisSource | undefined {
  const commandTimeoutMs = redis.commandTimeoutMs ?? 2_000;
  const url = redis.url ?? config.redisUrl;
  if (redis.client !== undefined) return { kind: 'given', client: redis.client };
  if (redis.clusterUrls !== undefined) return { kind: 'cluster', urls: [...redis.clusterUrls], commandTimeoutMs };
  return url === undefined ? undefined : { kind: 'url', url, commandTimeoutMs };
}

function valueProblems(options: CtpModuleOptions): string[] {
  const problems: string[] = [];
  const check = <T>(value: T | undefined, valid: (value: T) => boolean, problem: string) => {
    if (value !== undefined && !valid(value)) problems.push(problem);
  };
  const milliseconds = (name: string, value: number | undefined) => {
    if (value === undefined) return;
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0))
      problems.push(`${name} must be a positive number of milliseconds`);
    else if (value > MAX_TIMEOUT_MS)
      problems.push(
        `${name} must be at most ${MAX_TIMEOUT_MS} ms (about 24.8 days): Node fires a longer timer after 1 ms`,
      );
  };
  const retry = (path: string, policy: Partial<RetryPolicy> | undefined) => {
    check(policy?.maxRetries, (n) => isWhole(n, 0, 10), `${path}.maxRetries must be a whole number from 0 to 10`);
    milliseconds(`${path}.baseDelayMs`, policy?.baseDelayMs);
    milliseconds(`${path}.maxDelayMs`, policy?.maxDelayMs);
  };
  const scopes = (options.scopes ?? {}) as Record<string, unknown>;
  for (const set of typeof scopes === 'object' ? SCOPE_SET_NAMES : [])
    if (scopes[set] !== undefined) problems.push(...scopeSetProblems(`scopes.${set}`, scopes[set]));
  for (const name of [
    'authTimeoutMs',
    'apiTimeoutMs',
    'storageTimeoutMs',
    'revokeWaitMs',
    'passwordResetFloorMs',
  ] as const)
    milliseconds(name, options[name]);
  if (options.checkout !== undefined)
    problems.push(
      ...checkoutProblems(options.checkout, { applicationKey: 'checkout.applicationKey', url: 'checkout.url' }),
    );
  check(
    options.externalAuth,
    (e) => typeof e === 'object' && e !== null && typeof (e as { refresh?: unknown }).refresh === 'function',
    'externalAuth must be an object { refresh(session) => Promise<{ token, expiresAt } | undefined> }',
  );
  check(options.sendToken, (f) => typeof f === 'function', 'sendToken must be a function (message) => Promise<void>');
  retry('retry', options.retry);
  const api = options.api ?? {};
  check(api.engine, (e) => API_ENGINE_NAMES.includes(e), `api.engine must be one of ${API_ENGINE_NAMES.join(', ')}`);
  retry('api.retry', api.retry);
  check(
    api.maxAnswerBytes,
    (n) => isWhole(n, 1024, MAX_API_ANSWER_BYTES),
    `api.maxAnswerBytes must be a whole number of bytes from 1024 to ${MAX_API_ANSWER_BYTES} (256 MiB)`,
  );
  check(
    api.middlewares,
    (m) => Array.isArray(m) && m.every((middleware) => typeof middleware === 'function'),
    'api.middlewares must be an array of SDK middleware functions',
  );
  check(
    options.telemetry,
    (t) => t === false || isOtelApi((t as { api?: unknown } | null)?.api),
    "telemetry must be false or { api } with api the @opentelemetry/api module (await import('@opentelemetry/api'))",
  );
  check(
    options.appName,
    isValidAppName,
    'appName must be a User-Agent product token such as shop-bff/2.3.1 (no spaces, at most 128 characters)',
  );
  const redis = options.redis ?? {};
  for (const name of ['lockTtlMs', 'lockWaitMs', 'pollMs', 'commandTimeoutMs'] as const)
    milliseconds(`redis.${name}`, redis[name]);
  const cache = redis.sessionCache;
  if (typeof cache === 'object' && cache !== null) {
    check(
      cache.maxEntries,
      (n) => isWhole(n, 1, 10_000_000),
      'redis.sessionCache.maxEntries must be a whole number from 1 to 10000000 (or sessionCache: false)',
    );
    milliseconds('redis.sessionCache.maxAgeMs', cache.maxAgeMs);
  } else check(cache, (c) => c === false, 'redis.sessionCache must be false or { maxEntries, maxAgeMs }');
  check(
    redis.url,
    (url) => typeof url === 'string' && REDIS_URL.test(url),
    'redis.url must be a redis:// or rediss:// URL',
  );
  if (redis.keyPrefix !== undefined && typeof redis.keyPrefix !== 'string')
    problems.push('redis.keyPrefix must be a string');
  else
    check(
      redis.keyPrefix,
      keepsHashTags,
      'redis.keyPrefix has a "{" without a non-empty "{...}" after it: on Redis Cluster that hides the hash tag keeping a token\'s keys in one slot; close the tag, e.g. "{ctp}:", or drop the brace',
    );
  if (redis.clusterUrls !== undefined) problems.push(...clusterUrlProblems(redis.clusterUrls));
  if (redis.clusterUrls !== undefined && redis.url !== undefined)
    problems.push('redis.url and redis.clusterUrls: pass one (clusterUrls for a Redis Cluster)');
  if (options.fetch === undefined && typeof globalThis.fetch !== 'function')
    problems.push('no global fetch: pass options.fetch (Node >= 20 has one)');
  return problems;
}

function isWhole(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** The @opentelemetry/api module, told by its shape: the package's types do not depend on it. */
function isOtelApi(api: unknown): boolean {
  const otel = api as { trace?: { getTracer?: unknown }; metrics?: { getMeter?: unknown } } | undefined;
  return typeof otel?.trace?.getTracer === 'function' && typeof otel.metrics?.getMeter === 'function';
}

/** Redis Cluster hashes only a non-empty "{...}" after the first "{": any other "{" lets the rest of the key pick the slot. */
function keepsHashTags(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open < 0 || prefix.indexOf('}', open + 1) > open + 1;
}

/** Names no URL (one may hold a password): positions only. */
function clusterUrlProblems(urls: readonly string[]): string[] {
  if (!Array.isArray(urls) || urls.length === 0)
    return ["redis.clusterUrls must be a non-empty array of redis:// or rediss:// URLs of the cluster's nodes"];
  const bad = urls.flatMap((url, i) =>
    typeof url === 'string' && REDIS_URL.test(url) && URL.canParse(url) ? [] : [i],
  );
  if (bad.length > 0) return [`redis.clusterUrls[${bad.join(', ')}] must be a redis:// or rediss:// URL`];
  // The nodes the cluster reports get the first URL's credentials and TLS: differing URLs would mean a silent choice.
  const access = new Set(
    urls.map((url: string) => {
      const u = new URL(url);
      return JSON.stringify([u.protocol, u.username, u.password]);
    }),
  );
  return access.size > 1
    ? ['redis.clusterUrls must all use the same scheme (redis:// or rediss://), user and password']
    : [];
}
