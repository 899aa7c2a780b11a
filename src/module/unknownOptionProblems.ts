import type { RetryPolicy } from '../auth/RetryPolicy';
import { CONFIG_VARIABLES } from '../config/createCtpConfig';
import { SCOPE_SET_NAMES } from '../scopes/ScopeSetName';
import { closestName } from '../util/closestName';
import type { ApiOptions, CtpModuleOptions, RedisOptions } from './CtpModuleOptions';

// Every key of each options level, as a Record: an option added or removed without this line fails the type-check.
const MODULE: Record<keyof CtpModuleOptions, true> = {
  scopes: true,
  unsafeAllowSharedDataScopesForShoppers: true,
  unsafeAllowSharedWriteScopesForShoppers: true,
  authTimeoutMs: true,
  apiTimeoutMs: true,
  api: true,
  telemetry: true,
  appName: true,
  storageTimeoutMs: true,
  revokeWaitMs: true,
  retry: true,
  fetch: true,
  logger: true,
  clock: true,
  sleep: true,
  random: true,
  sessionStorage: true,
  sendToken: true,
  passwordResetFloorMs: true,
  checkout: true,
  externalAuth: true,
  redis: true,
};
const RETRY: Record<keyof RetryPolicy, true> = { maxRetries: true, baseDelayMs: true, maxDelayMs: true };
const API: Record<keyof ApiOptions, true> = { engine: true, retry: true, middlewares: true, maxAnswerBytes: true };
const TELEMETRY: Record<keyof Exclude<CtpModuleOptions['telemetry'], false | undefined>, true> = { api: true };
const REDIS: Record<keyof RedisOptions, true> = {
  client: true,
  url: true,
  clusterUrls: true,
  keyPrefix: true,
  lockTtlMs: true,
  lockWaitMs: true,
  pollMs: true,
  commandTimeoutMs: true,
  fallbackToLocal: true,
  sessionCache: true,
};
const SESSION_CACHE: Record<keyof Exclude<RedisOptions['sessionCache'], false | undefined>, true> = {
  maxEntries: true,
  maxAgeMs: true,
};

/** The top-level option names (ctpConfigArgument recognises options passed in the config's place). */
export const MODULE_OPTION_NAMES: readonly string[] = Object.keys(MODULE);

function levelProblems(path: string, value: unknown, known: Record<string, true> | readonly string[]): string[] {
  if (value === undefined) return [];
  const names = Array.isArray(known) ? known : Object.keys(known);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path} must be an object with ${names.join(', ')}`];
  return Object.keys(value)
    .filter((key) => !names.includes(key))
    .map((key) => {
      const closest = closestName(key, names);
      const where = path === '' ? key : `${path}.${key}`;
      if (closest !== undefined)
        return `unknown option ${where} (did you mean ${path === '' ? closest : `${path}.${closest}`}?)`;
      // A setting of the config that landed in the options by mistake: said where it goes instead.
      if (path === '' && Object.hasOwn(CONFIG_VARIABLES, key)) {
        return key === 'redisUrl'
          ? 'unknown option redisUrl: the Redis URL is redis: { url } in the options, or CTP_REDIS_URL in the config'
          : `unknown option ${key}: it belongs in the config (loadCtpConfig() or createCtpConfig({ ${key}, ... })), the first argument`;
      }
      return `unknown option ${where} (known: ${names.join(', ')})`;
    });
}

/**
 * Unknown keys at every level, each with the name it probably meant: a misspelt option would otherwise be ignored in
 * silence. Objects the app hands over whole (redis.client, telemetry.api, logger...) are not looked into.
 */
export function unknownOptionProblems(options: CtpModuleOptions): string[] {
  const { api, redis, telemetry } = options;
  return [
    ...levelProblems('', options, MODULE),
    ...levelProblems('scopes', options.scopes, SCOPE_SET_NAMES),
    ...levelProblems('retry', options.retry, RETRY),
    ...levelProblems('api', api, API),
    ...(isObject(api) ? levelProblems('api.retry', api.retry, RETRY) : []),
    // telemetry and sessionCache of another type have their own messages (resolveCtpOptions).
    ...(isObject(telemetry) ? levelProblems('telemetry', telemetry, TELEMETRY) : []),
    ...levelProblems('redis', redis, REDIS),
    ...(isObject(redis) && isObject(redis.sessionCache)
      ? levelProblems('redis.sessionCache', redis.sessionCache, SESSION_CACHE)
      : []),
  ];
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
