import type { FetchLike } from '../auth/AuthTransport';
import { createOAuthClient } from '../auth/createOAuthClient';
import type { OAuthClient } from '../auth/OAuthClient';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../auth/RetryPolicy';
import { TokenIssuer } from '../auth/TokenIssuer';
import { ApiRootFactory } from '../client/ApiRootFactory';
import { CtpClient } from '../client/CtpClient';
import { SharedTokenProvider } from '../client/SharedTokenProvider';
import type { CtpConfig } from '../config/CtpConfig';
import { CtpConfigError } from '../errors/CtpConfigError';
import { createRedisClient } from '../fleet/createRedisClient';
import { FallbackCoordinator } from '../fleet/FallbackCoordinator';
import type { RedisLike } from '../fleet/RedisLike';
import { RedisCoordinator } from '../fleet/RedisCoordinator';
import { localCoordinator, type TokenCoordinator } from '../fleet/TokenCoordinator';
import { ScopeRegistry } from '../scopes/ScopeRegistry';
import { CtpSession } from '../session/CtpSession';
import { HttpAccountBackend } from '../session/account/HttpAccountBackend';
import { CustomerSignIn } from '../session/CustomerSignIn';
import { currentSessionStorage } from '../session/sessionContext';
import { systemClock } from '../util/Clock';
import { silentLogger } from '../util/Logger';
import { timerSleep } from '../util/sleep';
import type { CtpModuleOptions } from './CtpModuleOptions';

export interface CtpServices {
  config: CtpConfig;
  registry: ScopeRegistry;
  client: CtpClient;
  session: CtpSession;
  oauth: OAuthClient;
  /** The Redis client in use, when the fleet is coordinated through Redis. */
  redis: RedisLike | undefined;
}

function optionProblems(options: CtpModuleOptions): string[] {
  const problems: string[] = [];
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) problems.push(`${name} must be a positive number of milliseconds`);
  };
  positive('authTimeoutMs', options.authTimeoutMs);
  positive('apiTimeoutMs', options.apiTimeoutMs);
  positive('storageTimeoutMs', options.storageTimeoutMs);
  positive('revokeWaitMs', options.revokeWaitMs);
  positive('passwordResetFloorMs', options.passwordResetFloorMs);
  if (options.sendToken !== undefined && typeof options.sendToken !== 'function') problems.push('sendToken must be a function (message) => Promise<void>');
  const retry = options.retry ?? {};
  if (retry.maxRetries !== undefined && !(Number.isInteger(retry.maxRetries) && retry.maxRetries >= 0 && retry.maxRetries <= 10)) {
    problems.push('retry.maxRetries must be a whole number from 0 to 10');
  }
  positive('retry.baseDelayMs', retry.baseDelayMs);
  positive('retry.maxDelayMs', retry.maxDelayMs);
  positive('redis.lockTtlMs', options.redis?.lockTtlMs);
  positive('redis.lockWaitMs', options.redis?.lockWaitMs);
  positive('redis.pollMs', options.redis?.pollMs);
  positive('redis.commandTimeoutMs', options.redis?.commandTimeoutMs);
  if (options.fetch === undefined && typeof globalThis.fetch !== 'function') problems.push('no global fetch: pass options.fetch (Node >= 20 has one)');
  return problems;
}

/**
 * Wires every service from validated config and options, without a container: for scripts and
 * tests. ctpModule() binds the same services in inversify.
 */
export function createCtpServices(config: CtpConfig, options: CtpModuleOptions = {}): CtpServices {
  const problems = optionProblems(options);
  if (problems.length > 0) throw new CtpConfigError(problems);
  const registry = new ScopeRegistry({
    projectKey: config.projectKey,
    sets: { ...options.scopes, ...(config.integrationScopes ? { integration: config.integrationScopes } : {}) },
    ...(options.unsafeAllowSharedWriteScopesForShoppers === undefined ? {} : { unsafeAllowSharedWriteScopesForShoppers: options.unsafeAllowSharedWriteScopesForShoppers }),
  });
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const custom = options.fetch;
  // Looked up per call so a fetch replaced after start-up (tests, instrumentation) still applies.
  const fetch = (): FetchLike => custom ?? ((input, init) => globalThis.fetch(input, init));
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };

  const oauth = createOAuthClient(config, {
    fetch,
    timeoutMs: options.authTimeoutMs ?? 10_000,
    retry,
    clock,
    sleep: options.sleep ?? timerSleep,
    random: options.random ?? Math.random,
    logger,
  });
  const redisUrl = options.redis?.url ?? config.redisUrl;
  const redis = options.redis?.client ?? (redisUrl ? createRedisClient(redisUrl, options.redis?.commandTimeoutMs, logger) : undefined);
  let coordinator: TokenCoordinator = localCoordinator;
  if (redis) {
    coordinator = new RedisCoordinator({
      redis,
      keyPrefix: options.redis?.keyPrefix ?? 'ctp:',
      lockTtlMs: options.redis?.lockTtlMs ?? 10_000,
      lockWaitMs: options.redis?.lockWaitMs ?? 15_000,
      pollMs: options.redis?.pollMs ?? 50,
      clock,
      sleep: options.sleep ?? timerSleep,
      logger,
    });
    if (options.redis?.fallbackToLocal === true) coordinator = new FallbackCoordinator(coordinator, logger);
  }
  const issuer = new TokenIssuer(oauth, registry, clock, logger);
  const integration = new SharedTokenProvider('integration', () => issuer.integration(), clock, logger, coordinator);
  const guest = new SharedTokenProvider('guest', () => issuer.guest(), clock, logger, coordinator);
  const apiTimeoutMs = options.apiTimeoutMs ?? 30_000;
  const signIn = new CustomerSignIn({ apiUrl: config.apiUrl, projectKey: config.projectKey, fetch, timeoutMs: apiTimeoutMs, integration });
  const session = new CtpSession({
    issuer,
    oauth,
    signIn,
    clock,
    logger,
    storage: options.sessionStorage ?? currentSessionStorage,
    coordinator,
    ...(options.storageTimeoutMs === undefined ? {} : { storageTimeoutMs: options.storageTimeoutMs }),
    ...(options.revokeWaitMs === undefined ? {} : { revokeWaitMs: options.revokeWaitMs }),
    accounts: {
      backend: new HttpAccountBackend({ apiUrl: config.apiUrl, projectKey: config.projectKey, fetch, timeoutMs: apiTimeoutMs, integration }),
      sendToken: options.sendToken,
      sleep: options.sleep ?? timerSleep,
      ...(options.passwordResetFloorMs === undefined ? {} : { resetAnswerFloorMs: options.passwordResetFloorMs }),
    },
  });
  const apiRoots = new ApiRootFactory({
    apiUrl: config.apiUrl,
    projectKey: config.projectKey,
    fetch,
    timeoutMs: apiTimeoutMs,
    logger,
  });
  const client = new CtpClient(integration, guest, session, apiRoots);
  return { config, registry, client, session, oauth, redis };
}
