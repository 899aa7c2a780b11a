import type { FetchLike } from '../auth/AuthTransport';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../auth/RetryPolicy';
import type { CtpConfig } from '../config/CtpConfig';
import { CtpConfigError } from '../errors/CtpConfigError';
import type { RedisLike } from '../fleet/RedisLike';
import type { ScopeSetName, ScopeSpec } from '../scopes/ScopeSetName';
import { currentSessionStorage } from '../session/sessionContext';
import type { SessionStorage } from '../session/SessionStorage';
import { systemClock, type Clock } from '../util/Clock';
import { silentLogger, type Logger } from '../util/Logger';
import { timerSleep, type Sleep } from '../util/sleep';
import type { CtpModuleOptions } from './CtpModuleOptions';

/**
 * Node's timers hold a signed 32-bit number of milliseconds: a larger delay fires after 1 ms
 * (with a TimeoutOverflowWarning), so a 30-day timeout would time out at once.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** Where the fleet's Redis client comes from: the app's own (kept open) or one the library makes (closed by close()). */
export type RedisSource = { kind: 'given'; client: RedisLike } | { kind: 'url'; url: string; commandTimeoutMs: number };

export interface ResolvedRedisOptions {
  source: RedisSource;
  keyPrefix: string;
  lockTtlMs: number;
  lockWaitMs: number;
  pollMs: number;
  fallbackToLocal: boolean;
}

/** Every option with its default applied, after validation: what the composition root wires from. */
export interface ResolvedCtpOptions {
  scopes: Partial<Record<ScopeSetName, readonly ScopeSpec[]>>;
  unsafeAllowSharedWriteScopesForShoppers: boolean | undefined;
  authTimeoutMs: number;
  apiTimeoutMs: number;
  storageTimeoutMs: number;
  revokeWaitMs: number;
  retry: RetryPolicy;
  /** Looked up per call so a fetch replaced after start-up (tests, instrumentation) still applies. */
  fetch: () => FetchLike;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  sessionStorage: () => SessionStorage;
  /** Undefined: no Redis, every instance coordinates on its own. */
  redis: ResolvedRedisOptions | undefined;
}

const REDIS_URL = /^rediss?:\/\/[^\s]+$/;

function problemsOf(options: CtpModuleOptions): string[] {
  const problems: string[] = [];
  const milliseconds = (name: string, value: number | undefined) => {
    if (value === undefined) return;
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) problems.push(`${name} must be a positive number of milliseconds`);
    else if (value > MAX_TIMER_MS) problems.push(`${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days): Node fires a longer timer after 1 ms`);
  };
  milliseconds('authTimeoutMs', options.authTimeoutMs);
  milliseconds('apiTimeoutMs', options.apiTimeoutMs);
  milliseconds('storageTimeoutMs', options.storageTimeoutMs);
  milliseconds('revokeWaitMs', options.revokeWaitMs);
  milliseconds('passwordResetFloorMs', options.passwordResetFloorMs);
  if (options.sendToken !== undefined && typeof options.sendToken !== 'function') problems.push('sendToken must be a function (message) => Promise<void>');
  const retry = options.retry ?? {};
  if (retry.maxRetries !== undefined && !(Number.isInteger(retry.maxRetries) && retry.maxRetries >= 0 && retry.maxRetries <= 10)) {
    problems.push('retry.maxRetries must be a whole number from 0 to 10');
  }
  milliseconds('retry.baseDelayMs', retry.baseDelayMs);
  milliseconds('retry.maxDelayMs', retry.maxDelayMs);
  const redis = options.redis ?? {};
  milliseconds('redis.lockTtlMs', redis.lockTtlMs);
  milliseconds('redis.lockWaitMs', redis.lockWaitMs);
  milliseconds('redis.pollMs', redis.pollMs);
  milliseconds('redis.commandTimeoutMs', redis.commandTimeoutMs);
  if (redis.url !== undefined && !(typeof redis.url === 'string' && REDIS_URL.test(redis.url))) problems.push('redis.url must be a redis:// or rediss:// URL');
  if (redis.keyPrefix !== undefined && typeof redis.keyPrefix !== 'string') problems.push('redis.keyPrefix must be a string');
  if (options.fetch === undefined && typeof globalThis.fetch !== 'function') problems.push('no global fetch: pass options.fetch (Node >= 20 has one)');
  return problems;
}

/**
 * Validates the module options (every problem at once, as a CtpConfigError) and applies the
 * defaults, so createCtpServices only wires.
 */
export function resolveCtpOptions(config: CtpConfig, options: CtpModuleOptions = {}): ResolvedCtpOptions {
  const problems = problemsOf(options);
  if (problems.length > 0) throw new CtpConfigError(problems);
  const custom = options.fetch;
  const redisUrl = options.redis?.url ?? config.redisUrl;
  let source: RedisSource | undefined;
  if (options.redis?.client !== undefined) source = { kind: 'given', client: options.redis.client };
  else if (redisUrl !== undefined) source = { kind: 'url', url: redisUrl, commandTimeoutMs: options.redis?.commandTimeoutMs ?? 2_000 };
  return {
    scopes: { ...options.scopes, ...(config.integrationScopes ? { integration: config.integrationScopes } : {}) },
    unsafeAllowSharedWriteScopesForShoppers: options.unsafeAllowSharedWriteScopesForShoppers,
    authTimeoutMs: options.authTimeoutMs ?? 10_000,
    apiTimeoutMs: options.apiTimeoutMs ?? 30_000,
    storageTimeoutMs: options.storageTimeoutMs ?? 5_000,
    revokeWaitMs: options.revokeWaitMs ?? 2_000,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
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
            pollMs: options.redis?.pollMs ?? 50,
            fallbackToLocal: options.redis?.fallbackToLocal === true,
          },
  };
}
