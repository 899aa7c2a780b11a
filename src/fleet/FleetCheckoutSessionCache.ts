import {
  LocalCheckoutSessionCache,
  type CachedCheckoutSession,
  type CheckoutSessionCache,
} from '../checkout/CheckoutSessionCache';
import { CtpApiError } from '../errors/CtpApiError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpRedisError } from '../errors/CtpRedisError';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { checkoutKey } from './fleetKeys';
import type { RedisCoordinator } from './RedisCoordinator';

/**
 * Checkout sessions shared by every instance on one Redis: one fresh in this process costs no
 * command; else the fleet's, or one instance creates or refreshes it under the fleet's lock
 * (RedisCoordinator.keep). With `fallbackToLocal`, a Redis failure leaves this process to create its own.
 */
export class FleetCheckoutSessionCache implements CheckoutSessionCache {
  readonly #local = new LocalCheckoutSessionCache();

  constructor(
    private readonly o: {
      coordinator: Pick<RedisCoordinator, 'keep'>;
      url: string;
      projectKey: string;
      clock: Clock;
      logger: Logger;
      fallbackToLocal: boolean;
    },
  ) {}

  once(
    key: string,
    isFresh: (session: CachedCheckoutSession) => boolean,
    produce: (stale: CachedCheckoutSession | undefined) => Promise<CachedCheckoutSession>,
  ): Promise<CachedCheckoutSession> {
    return this.#local.once(key, isFresh, async (stale) => {
      try {
        return await this.o.coordinator.keep(
          checkoutKey(this.o.url, this.o.projectKey, key),
          parseCached,
          isFresh,
          (published) => produce(published ?? stale),
          (session) => session.expiresAt - this.o.clock.now(),
        );
      } catch (error) {
        // Only a failure of Redis itself: an error of the Checkout host is the caller's, never a second creation.
        if (!(error instanceof CtpRedisError)) throw error;
        if (!this.o.fallbackToLocal)
          throw new CtpApiError(
            'The Checkout session could not be coordinated through Redis (the cause is in .cause); try again, or check Redis.',
            { code: CtpErrorCode.CheckoutUnavailable, status: 503, cause: error },
          );
        this.o.logger.warn(
          { event: 'ctp.fleet.fallback', what: 'checkout session' },
          'Redis failed; this instance keeps its own Checkout session',
        );
        return produce(stale);
      }
    });
  }
}

function parseCached(value: string): CachedCheckoutSession | undefined {
  try {
    const { sessionId, expiresAt } = JSON.parse(value) as Partial<CachedCheckoutSession>;
    return typeof sessionId === 'string' && typeof expiresAt === 'number' ? { sessionId, expiresAt } : undefined;
  } catch {
    return undefined;
  }
}
