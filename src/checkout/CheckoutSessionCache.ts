import { SingleFlight } from '../util/SingleFlight';
import { setBounded } from '../util/setBounded';

/** A Checkout session as kept between calls: its id and expiry (ms since the epoch). */
export interface CachedCheckoutSession {
  sessionId: string;
  expiresAt: number;
}

/**
 * Where Checkout sessions are kept between calls, per `applicationKey:cartId`: in the process, or
 * across instances (Redis). `once` hands back the kept session while `isFresh`, and otherwise lets
 * exactly one caller produce the next, given the stale one to refresh.
 */
export interface CheckoutSessionCache {
  once(
    key: string,
    isFresh: (session: CachedCheckoutSession) => boolean,
    produce: (stale: CachedCheckoutSession | undefined) => Promise<CachedCheckoutSession>,
  ): Promise<CachedCheckoutSession>;
}

/** A bound on the carts kept, so a flood of carts cannot grow the heap without limit. */
const MAX_KEPT = 10_000;

/** In one process: a map of the latest session per key, one production in flight per key. */
export class LocalCheckoutSessionCache implements CheckoutSessionCache {
  readonly #kept = new Map<string, CachedCheckoutSession>();
  readonly #flights = new SingleFlight<string, CachedCheckoutSession>();

  once(
    key: string,
    isFresh: (session: CachedCheckoutSession) => boolean,
    produce: (stale: CachedCheckoutSession | undefined) => Promise<CachedCheckoutSession>,
  ): Promise<CachedCheckoutSession> {
    const kept = this.#kept.get(key);
    if (kept !== undefined && isFresh(kept)) return Promise.resolve(kept);
    return this.#flights.run(key, async () => {
      const next = await produce(kept);
      setBounded(this.#kept, key, next, MAX_KEPT);
      return next;
    });
  }
}
