import { DEFAULT_AUTH_TIMEOUT_MS, type FetchLike } from '../auth/AuthTransport';
import { API_ENGINE_NAMES, type ApiEngineName, type EngineMiddleware } from '../client/ApiEngine';
import { DEFAULT_MAX_ANSWER_BYTES, MAX_API_ANSWER_BYTES } from '../client/ApiRootFactory';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../auth/RetryPolicy';
import type { CtpConfig } from '../config/CtpConfig';
import { CtpConfigError } from '../errors/CtpConfigError';
import type { RedisLike } from '../fleet/RedisLike';
import type { ScopeSetName, ScopeSpec } from '../scopes/ScopeSetName';
import { currentSessionStorage } from '../session/sessionContext';
import type { AnySessionStorage } from '../session/fromLegacyStorage';
import { systemClock, type Clock } from '../util/Clock';
import { silentLogger, type Logger } from '../util/Logger';
import { timerSleep, type Sleep } from '../util/sleep';
import { isValidAppName, userAgent } from '../util/userAgent';
import type { CtpModuleOptions } from './CtpModuleOptions';
import { unknownOptionProblems } from './unknownOptionProblems';
import { scopeSetProblems } from '../scopes/knownScopes';
import { SCOPE_SET_NAMES } from '../scopes/ScopeSetName';

import { MAX_TIMEOUT_MS as MAX_TIMER_MS } from '../util/deadline';

export { MAX_TIMER_MS };

/** Where the fleet's Redis client comes from: the app's own (kept open) or one the library makes (closed by close()). */
export type RedisSource =
  | { kind: 'given'; client: RedisLike }
  | { kind: 'url'; url: string; commandTimeoutMs: number }
  | { kind: 'cluster'; urls: readonly string[]; commandTimeoutMs: number };

export interface ResolvedRedisOptions {
  source: RedisSource;
  keyPrefix: string;
  lockTtlMs: number;
  lockWaitMs: number;
  pollMs: number;
  fallbackToLocal: boolean;
  /** Undefined: no session cache. */
  sessionCache: { maxEntries: number; maxAgeMs: number } | undefined;
}

/** Every option with its default applied, after validation: what the composition root wires from. */
export interface ResolvedCtpOptions {
  scopes: Partial<Record<ScopeSetName, readonly ScopeSpec[]>>;
  unsafeAllowSharedDataScopesForShoppers: boolean | undefined;
  authTimeoutMs: number;
  apiTimeoutMs: number;
  storageTimeoutMs: number;
  revokeWaitMs: number;
  retry: RetryPolicy;
  api: { engine: ApiEngineName; retry: RetryPolicy; middlewares: readonly EngineMiddleware[]; maxAnswerBytes: number };
  /** The User-Agent of every API and auth request. */
  userAgent: string;
  /** Looked up per call so a fetch replaced after start-up (tests, instrumentation) still applies. */
  fetch: () => FetchLike;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  sessionStorage: () => AnySessionStorage;
  /** Undefined: no Redis, every instance coordinates on its own. */
  redis: ResolvedRedisOptions | undefined;
}

const REDIS_URL = /^rediss?:\/\/[^\s]+$/;

function problemsOf(options: CtpModuleOptions): string[] {
  const problems: string[] = [];
  const milliseconds = (name: string, value: number | undefined) => {
    if (value === undefined) return;
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0))
      problems.push(`${name} must be a positive number of milliseconds`);
    else if (value > MAX_TIMER_MS)
      problems.push(
        `${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days): Node fires a longer timer after 1 ms`,
      );
  };
  milliseconds('authTimeoutMs', options.authTimeoutMs);
  milliseconds('apiTimeoutMs', options.apiTimeoutMs);
  milliseconds('storageTimeoutMs', options.storageTimeoutMs);
  milliseconds('revokeWaitMs', options.revokeWaitMs);
  milliseconds('passwordResetFloorMs', options.passwordResetFloorMs);
  if (options.sendToken !== undefined && typeof options.sendToken !== 'function')
    problems.push('sendToken must be a function (message) => Promise<void>');
  const retry = options.retry ?? {};
  if (
    retry.maxRetries !== undefined &&
    !(Number.isInteger(retry.maxRetries) && retry.maxRetries >= 0 && retry.maxRetries <= 10)
  ) {
    problems.push('retry.maxRetries must be a whole number from 0 to 10');
  }
  milliseconds('retry.baseDelayMs', retry.baseDelayMs);
  milliseconds('retry.maxDelayMs', retry.maxDelayMs);
  const api = options.api ?? {};
  if (api.engine !== undefined && !API_ENGINE_NAMES.includes(api.engine))
    problems.push(`api.engine must be one of ${API_ENGINE_NAMES.join(', ')}`);
  const apiRetry = api.retry ?? {};
  if (
    apiRetry.maxRetries !== undefined &&
    !(Number.isInteger(apiRetry.maxRetries) && apiRetry.maxRetries >= 0 && apiRetry.maxRetries <= 10)
  ) {
    problems.push('api.retry.maxRetries must be a whole number from 0 to 10');
  }
  milliseconds('api.retry.baseDelayMs', apiRetry.baseDelayMs);
  milliseconds('api.retry.maxDelayMs', apiRetry.maxDelayMs);
  if (
    api.maxAnswerBytes !== undefined &&
    !(Number.isInteger(api.maxAnswerBytes) && api.maxAnswerBytes >= 1024 && api.maxAnswerBytes <= MAX_API_ANSWER_BYTES)
  ) {
    problems.push(`api.maxAnswerBytes must be a whole number of bytes from 1024 to ${MAX_API_ANSWER_BYTES} (256 MiB)`);
  }
  if (
    api.middlewares !== undefined &&
    !(Array.isArray(api.middlewares) && api.middlewares.every((m) => typeof m === 'function'))
  ) {
    problems.push('api.middlewares must be an array of SDK middleware functions');
  }
  const otel = (options.telemetry || undefined)?.api as
    { trace?: { getTracer?: unknown }; metrics?: { getMeter?: unknown } } | undefined;
  if (
    options.telemetry !== undefined &&
    options.telemetry !== false &&
    !(typeof otel?.trace?.getTracer === 'function' && typeof otel.metrics?.getMeter === 'function')
  ) {
    problems.push(
      "telemetry must be false or { api } with api the @opentelemetry/api module (await import('@opentelemetry/api'))",
    );
  }
  if (options.appName !== undefined && !isValidAppName(options.appName))
    problems.push(
      'appName must be a User-Agent product token such as shop-bff/2.3.1 (no spaces, at most 128 characters)',
    );
  const redis = options.redis ?? {};
  milliseconds('redis.lockTtlMs', redis.lockTtlMs);
  milliseconds('redis.lockWaitMs', redis.lockWaitMs);
  milliseconds('redis.pollMs', redis.pollMs);
  milliseconds('redis.commandTimeoutMs', redis.commandTimeoutMs);
  const cache = redis.sessionCache;
  if (cache !== undefined && cache !== false) {
    if (typeof cache !== 'object' || cache === null)
      problems.push('redis.sessionCache must be false or { maxEntries, maxAgeMs }');
    else {
      if (
        cache.maxEntries !== undefined &&
        !(Number.isInteger(cache.maxEntries) && cache.maxEntries >= 1 && cache.maxEntries <= 10_000_000)
      ) {
        problems.push(
          'redis.sessionCache.maxEntries must be a whole number from 1 to 10000000 (or sessionCache: false)',
        );
      }
      milliseconds('redis.sessionCache.maxAgeMs', cache.maxAgeMs);
    }
  }
  if (redis.url !== undefined && !(typeof redis.url === 'string' && REDIS_URL.test(redis.url)))
    problems.push('redis.url must be a redis:// or rediss:// URL');
  if (redis.keyPrefix !== undefined && typeof redis.keyPrefix !== 'string')
    problems.push('redis.keyPrefix must be a string');
  else if (redis.keyPrefix !== undefined && !keepsHashTags(redis.keyPrefix)) {
    problems.push(
      'redis.keyPrefix has a "{" without a non-empty "{...}" after it: on Redis Cluster that hides the hash tag keeping a token\'s keys in one slot; close the tag, e.g. "{ctp}:", or drop the brace',
    );
  }
  if (redis.clusterUrls !== undefined) problems.push(...clusterUrlProblems(redis.clusterUrls));
  if (redis.clusterUrls !== undefined && redis.url !== undefined)
    problems.push('redis.url and redis.clusterUrls: pass one (clusterUrls for a Redis Cluster)');
  if (options.fetch === undefined && typeof globalThis.fetch !== 'function')
    problems.push('no global fetch: pass options.fetch (Node >= 20 has one)');
  return problems;
}

/**
 * Redis Cluster hashes only the part between the first "{" and the next "}" when it is not empty.
 * A prefix without "{" leaves that to the library's own tag; one with a complete tag puts every key
 * in the prefix's slot. Any other "{" would make the slot depend on the rest of the key.
 */
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

/**
 * What is wrong with the options' shape: keys they do not have (with the closest valid name), and
 * scope names commercetools does not know (or manage_project) in the scope sets.
 */
function shapeProblems(options: CtpModuleOptions): string[] {
  const scopes = (options.scopes ?? {}) as Record<string, unknown>;
  const sets = typeof scopes === 'object' ? SCOPE_SET_NAMES.filter((set) => scopes[set] !== undefined) : [];
  return [...unknownOptionProblems(options), ...sets.flatMap((set) => scopeSetProblems(`scopes.${set}`, scopes[set]))];
}

/**
 * Validates the module options (every problem at once, as a CtpConfigError) and applies the
 * defaults, so createCtpServices only wires.
 */
export function resolveCtpOptions(config: CtpConfig, options: CtpModuleOptions = {}): ResolvedCtpOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CtpConfigError([
      'options (the second argument) must be an object of CtpModuleOptions, e.g. { authTimeoutMs: 5_000 }, or left out',
    ]);
  }
  const problems = [...shapeProblems(options), ...problemsOf(options)];
  if (problems.length > 0) throw new CtpConfigError(problems);
  const custom = options.fetch;
  const redisUrl = options.redis?.url ?? config.redisUrl;
  let source: RedisSource | undefined;
  if (options.redis?.client !== undefined) source = { kind: 'given', client: options.redis.client };
  else if (options.redis?.clusterUrls !== undefined)
    source = {
      kind: 'cluster',
      urls: [...options.redis.clusterUrls],
      commandTimeoutMs: options.redis.commandTimeoutMs ?? 2_000,
    };
  else if (redisUrl !== undefined)
    source = { kind: 'url', url: redisUrl, commandTimeoutMs: options.redis?.commandTimeoutMs ?? 2_000 };
  return {
    scopes: { ...options.scopes, ...(config.integrationScopes ? { integration: config.integrationScopes } : {}) },
    unsafeAllowSharedDataScopesForShoppers:
      options.unsafeAllowSharedDataScopesForShoppers ?? options.unsafeAllowSharedWriteScopesForShoppers,
    authTimeoutMs: options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS,
    apiTimeoutMs: options.apiTimeoutMs ?? 30_000,
    storageTimeoutMs: options.storageTimeoutMs ?? 5_000,
    revokeWaitMs: options.revokeWaitMs ?? 2_000,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    api: {
      engine: options.api?.engine ?? 'ts-client',
      retry: { ...DEFAULT_RETRY_POLICY, ...options.api?.retry },
      middlewares: options.api?.middlewares ?? [],
      maxAnswerBytes: options.api?.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES,
    },
    userAgent: userAgent(options.appName),
    fetch: () => custom ?? ((input, init) => globalThis.fetch(input, init)),
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? timerSleep,
    random: options.random ?? Math.random,
    sessionStorage: options.sessionStorage ?? currentSessionStorage,
    redis:
      source === undefined
        ? undefined
        : {
            source,
            keyPrefix: options.redis?.keyPrefix ?? 'ctp:',
            lockTtlMs: options.redis?.lockTtlMs ?? 10_000,
            lockWaitMs: options.redis?.lockWaitMs ?? 15_000,
            pollMs: options.redis?.pollMs ?? 1_000,
            fallbackToLocal: options.redis?.fallbackToLocal === true,
            sessionCache:
              options.redis?.sessionCache === false
                ? undefined
                : {
                    maxEntries: options.redis?.sessionCache?.maxEntries ?? 10_000,
                    maxAgeMs: options.redis?.sessionCache?.maxAgeMs ?? 60_000,
                  },
          },
  };
}
