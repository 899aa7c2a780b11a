import { AuthTransport, type FetchLike } from '../auth/AuthTransport';
import { basicAuthorization } from '../auth/basicAuthorization';
import { OAuthClient } from '../auth/OAuthClient';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../auth/RetryPolicy';
import { TokenIssuer } from '../auth/TokenIssuer';
import { ApiRootFactory } from '../client/ApiRootFactory';
import { CtpClient } from '../client/CtpClient';
import { SharedTokenProvider } from '../client/SharedTokenProvider';
import type { CtpConfig } from '../config/CtpConfig';
import { CtpConfigError } from '../errors/CtpConfigError';
import { ScopeRegistry } from '../scopes/ScopeRegistry';
import { CtpSession } from '../session/CtpSession';
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
}

function optionProblems(options: CtpModuleOptions): string[] {
  const problems: string[] = [];
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) problems.push(`${name} must be a positive number of milliseconds`);
  };
  positive('authTimeoutMs', options.authTimeoutMs);
  positive('apiTimeoutMs', options.apiTimeoutMs);
  const retry = options.retry ?? {};
  if (retry.maxRetries !== undefined && !(Number.isInteger(retry.maxRetries) && retry.maxRetries >= 0 && retry.maxRetries <= 10)) {
    problems.push('retry.maxRetries must be a whole number from 0 to 10');
  }
  positive('retry.baseDelayMs', retry.baseDelayMs);
  positive('retry.maxDelayMs', retry.maxDelayMs);
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

  const authorization = basicAuthorization(config.clientId, config.clientSecret);
  const transport = new AuthTransport({
    authUrl: config.authUrl,
    authorization,
    fetch,
    timeoutMs: options.authTimeoutMs ?? 10_000,
    retry,
    clock,
    sleep: options.sleep ?? timerSleep,
    random: options.random ?? Math.random,
    logger,
  });
  const oauth = new OAuthClient(transport, config.projectKey, [config.clientSecret, authorization.slice('Basic '.length)]);
  const issuer = new TokenIssuer(oauth, registry, clock, logger);
  const integration = new SharedTokenProvider('integration', () => issuer.integration(), clock, logger);
  const guest = new SharedTokenProvider('guest', () => issuer.guest(), clock, logger);
  const apiTimeoutMs = options.apiTimeoutMs ?? 30_000;
  const signIn = new CustomerSignIn({ apiUrl: config.apiUrl, projectKey: config.projectKey, fetch, timeoutMs: apiTimeoutMs, integration });
  const session = new CtpSession({ issuer, oauth, signIn, clock, logger, storage: options.sessionStorage ?? currentSessionStorage });
  const apiRoots = new ApiRootFactory({
    apiUrl: config.apiUrl,
    projectKey: config.projectKey,
    fetch,
    timeoutMs: apiTimeoutMs,
    logger,
    recover: async (owner, stale) => {
      if (owner === 'customer') return (await session.recover(stale)).accessToken;
      const provider = owner === 'integration' ? integration : guest;
      provider.invalidate(stale);
      return (await provider.get()).accessToken;
    },
  });
  const client = new CtpClient(integration, guest, session, apiRoots);
  return { config, registry, client, session, oauth };
}
