import type { SharedToken } from '../auth/CtpAuthToken';
import { LocalCheckoutSessionCache } from '../checkout/CheckoutSessionCache';
import { CheckoutSessions } from '../checkout/CheckoutSessions';
import { AccountApi } from '../session/AccountApi';
import { createOAuthClient } from '../auth/createOAuthClient';
import { TokenIssuer } from '../auth/TokenIssuer';
import { ApiRootFactory } from '../client/ApiRootFactory';
import { createCtpClient, type CtpClient } from '../client/CtpClient';
import { CustomerService } from '../client/CustomerService';
import { correlatedLogger } from '../client/correlatedLogger';
import { tracedFetch } from '../client/tracedFetch';
import { SharedTokenProvider } from '../tokens/SharedTokenProvider';
import type { CtpConfig } from '../config/CtpConfig';
import { createRedisClient } from '../fleet/createRedisClient';
import { createRedisClusterClient } from '../fleet/createRedisClusterClient';
import { FallbackCoordinator } from '../fleet/FallbackCoordinator';
import { FleetCheckoutSessionCache } from '../fleet/FleetCheckoutSessionCache';
import { quitRedisClient } from '../fleet/quitRedisClient';
import type { RedisLike } from '../fleet/RedisLike';
import { RedisCoordinator } from '../fleet/RedisCoordinator';
import { RedisEvents } from '../fleet/RedisEvents';
import { tracedCoordinator } from '../fleet/tracedCoordinator';
import { RedisSessionCache } from '../fleet/RedisSessionCache';
import { sessionChannel } from '../fleet/RedisSessionStorage';
import { localCoordinator, type SharedTokenId, type TokenCoordinator } from '../tokens/TokenCoordinator';
import { ScopeRegistry } from '../scopes/ScopeRegistry';
import type { CtpSession } from '../session/CtpSession';
import { ShopperSession } from '../session/ShopperSession';
import { HttpAccountBackend } from '../session/account/HttpAccountBackend';
import { CustomerSignIn } from '../session/CustomerSignIn';
import { CtpTelemetry } from '../telemetry/CtpTelemetry';
import type { CtpModuleOptions } from './CtpModuleOptions';
import { ctpConfigArgument } from './ctpConfigArgument';
import { resolveCtpOptions } from './resolveCtpOptions';

/** What createCtpServices() gives a script or a test: the services ctpModule() binds, and close(). */
export interface CtpServices {
  config: CtpConfig;
  client: CtpClient;
  session: CtpSession;
  /** The Redis client in use, if any. */
  redis: RedisLike | undefined;
  /** The in-process session cache (unless `redis.sessionCache: false`): pass it to each RedisSessionStorage. */
  sessionCache: RedisSessionCache | undefined;
  /**
   * Aborts API calls in flight, lets background revocations finish, and quits a Redis client made from a URL
   * (a client passed in options stays open). Later calls return the first call's promise.
   */
  close(): Promise<void>;
}

/**
 * The services ctpModule() binds, without a container: for scripts and tests.
 * @example
 * const services = createCtpServices(loadCtpConfig());
 * try { await run(services.client); } finally { await services.close(); }
 */
export function createCtpServices(config: CtpConfig, options: CtpModuleOptions = {}): CtpServices {
  return wireCtpServices(config, options, 'createCtpServices');
}

/** createCtpServices() with its internal parts too, for ctpModule and tests; `caller` is named in a config error. */
export function wireCtpServices(
  configArgument: CtpConfig,
  options: CtpModuleOptions = {},
  caller: 'ctpModule' | 'createCtpServices' = 'createCtpServices',
) {
  const config = ctpConfigArgument(caller, configArgument);
  const o = resolveCtpOptions(config, options);
  const { clock, sleep, random } = o;
  const { authUrl, apiUrl, projectKey, clientId } = config;
  const registry = new ScopeRegistry({
    projectKey,
    sets: o.scopes,
    unsafeAllowSharedDataScopesForShoppers: o.unsafeAllowSharedDataScopesForShoppers,
  });
  // Every event logged inside a request carries its correlation ID.
  const logger = correlatedLogger(o.logger);
  const telemetry = new CtpTelemetry(o.telemetry);
  // Auth and sign-in requests carry User-Agent and X-Correlation-ID too.
  const fetch = tracedFetch(o.fetch, o.userAgent);
  const oauth = createOAuthClient(
    config,
    { fetch, timeoutMs: o.authTimeoutMs, retry: o.retry, clock, sleep, random, logger },
    telemetry,
  );
  const source = o.redis?.source;
  // What the library makes it closes; a client it is given stays its owner's.
  const made =
    source?.kind === 'url'
      ? createRedisClient(source.url, source.commandTimeoutMs, logger)
      : source?.kind === 'cluster'
        ? createRedisClusterClient(source.urls, source.commandTimeoutMs, logger)
        : undefined;
  const redis = source?.kind === 'given' ? source.client : made;
  const closeTimeoutMs = source?.kind === 'url' || source?.kind === 'cluster' ? source.commandTimeoutMs : 2_000;
  // The process's one subscriber connection (a duplicate of `redis`, made on first use): the library
  // made it, so close() closes it, also when `redis` itself was given.
  const events =
    redis === undefined ? undefined : new RedisEvents({ redis, logger, closeTimeoutMs, keyPrefix: o.redis?.keyPrefix });
  // The sessions' cache, kept coherent by the subscriber; a RedisSessionStorage uses it when given it.
  const sessionCache =
    events?.available && o.redis?.sessionCache
      ? new RedisSessionCache(events, sessionChannel(o.redis.keyPrefix), { ...o.redis.sessionCache, clock })
      : undefined;
  let coordinator: TokenCoordinator = localCoordinator;
  let fleet: RedisCoordinator | undefined;
  if (o.redis && redis) {
    coordinator = fleet = new RedisCoordinator({ ...o.redis, redis, events, clock, sleep, logger });
    if (o.redis.fallbackToLocal) coordinator = new FallbackCoordinator(coordinator, logger);
    coordinator = tracedCoordinator(coordinator, telemetry);
  }
  const issuer = new TokenIssuer(oauth, registry, clock, logger);
  const shared = (name: SharedTokenId['name'], grant: () => Promise<SharedToken>) =>
    new SharedTokenProvider({
      id: { name, authUrl, projectKey, clientId, scope: registry.scopeParameter(name) },
      scopes: registry.scopes(name),
      grant,
      clock,
      logger,
      coordinator,
    });
  const integration = shared('integration', () => issuer.integration());
  const guest = shared('guest', () => issuer.guest());
  // The calls the library makes to the API itself (sign-in, account operations).
  const api = { apiUrl, projectKey, fetch, timeoutMs: o.apiTimeoutMs, integration };
  // commercetools Checkout: sessions created on its own host with a token of manage_sessions alone.
  const checkout =
    o.checkout &&
    new CheckoutSessions({
      host: new AccountApi({
        ...api,
        apiUrl: o.checkout.url,
        integration: shared('checkout', () => issuer.checkout()),
      }),
      api: new AccountApi(api),
      applicationKey: o.checkout.applicationKey,
      cache:
        fleet && o.redis
          ? new FleetCheckoutSessionCache({
              coordinator: fleet,
              url: o.checkout.url,
              projectKey,
              clock,
              logger,
              fallbackToLocal: o.redis.fallbackToLocal,
            })
          : new LocalCheckoutSessionCache(),
      clock,
      logger,
    });
  const session = new ShopperSession({
    issuer,
    oauth,
    signIn: new CustomerSignIn(api),
    clock,
    logger,
    storage: o.sessionStorage,
    coordinator,
    storageTimeoutMs: o.storageTimeoutMs,
    revokeWaitMs: o.revokeWaitMs,
    telemetry,
    ...(checkout ? { checkout: checkout.forShopper } : {}),
    externalRefresh: o.externalRefresh,
    accounts: {
      backend: new HttpAccountBackend(api),
      sendToken: o.sendToken,
      sleep,
      ...(o.passwordResetFloorMs === undefined ? {} : { resetAnswerFloorMs: o.passwordResetFloorMs }),
    },
  });
  const apiRoots = new ApiRootFactory({
    apiUrl,
    projectKey,
    fetch: o.fetch,
    timeoutMs: o.apiTimeoutMs,
    logger,
    ...o.api,
    sleep,
    random,
    userAgent: o.userAgent,
    telemetry,
    onRetry: () => telemetry.apiRetries?.add(1),
    onRecovery: () => telemetry.recoveries?.add(1),
  });
  const customerService = new CustomerService({
    token: shared('customerService', () => issuer.customerService()),
    apiRoots,
    clientId,
    clock,
    logger,
    telemetry,
  });
  const client = createCtpClient(integration, guest, session, apiRoots, customerService);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      logger.info({ event: 'ctp.close', ownsRedis: made !== undefined }, 'closing ctp-client');
      apiRoots.close();
      // Revocations still running in the background finish (each bounded by authTimeoutMs) first.
      await session.settled();
      await events?.close();
      if (made) await quitRedisClient(made, closeTimeoutMs);
    })());
  return { config, registry, client, session, oauth, redis, sessionCache, close };
}
