import type { ByProjectKeyRequestBuilder, Cart, CartLock, CartUpdateAction } from '@commercetools/platform-sdk';
import { CtpApiError } from '../errors/CtpApiError';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { retryOnConflict } from './retryOnConflict';

/**
 * The longest actAsCustomer holds a cart's lock (5 minutes): its callback is then rejected with
 * CTP_CART_LOCK_TIMEOUT and the cart unlocked (earlier at the call context's deadline, if that comes first).
 */
export const CART_LOCK_MAX_MS = 5 * 60_000;

/** Age past CART_LOCK_MAX_MS at which this client's own lock was left by a crash: for unlock retries and clock skew. */
const STALE_LOCK_GRACE_MS = 60_000;

/** Locking and unlocking carts (`lockCart`/`unlockCart`, which need `manage_locked_carts`). */
export class CartLocks {
  readonly #o: { clientId: string; clock: Clock; logger: Logger };

  constructor(options: { clientId: string; clock: Clock; logger: Logger }) {
    this.#o = options;
  }

  /**
   * Locks the customer's active cart (in the Store, if given) and answers it locked. Another's lock is
   * CTP_CART_LOCKED, except this client's own when stale: its holder crashed (a live one unlocks at its
   * deadline), so it is released and taken.
   */
  async lock(apiRoot: ByProjectKeyRequestBuilder, customerId: string, storeKey: string | undefined): Promise<Cart> {
    const carts = storeKey === undefined ? apiRoot.carts() : apiRoot.inStoreKeyWithStoreKeyValue({ storeKey }).carts();
    let cart: Cart;
    try {
      cart = (await carts.withCustomerId({ customerId }).get().execute()).body;
    } catch (error) {
      if (!CtpError.is(error, CtpErrorCode.ApiNotFound)) throw error;
      throw new CtpError(
        CtpErrorCode.CartNotFound,
        `actAsCustomer: the customer has no active cart${storeKey === undefined ? '' : ' in this Store'} to lock; call it without lockCart to create one.`,
        { cause: error, status: 404 },
      );
    }
    return retryOnConflict(async (attempt) => {
      if (attempt > 0) cart = await this.#read(apiRoot, cart.id);
      if (cart.lock) {
        if (!this.#isStale(cart.lock))
          throw new CtpApiError(
            'actAsCustomer: the cart is locked by another agent or API client; try again once it is unlocked, or release a lock left behind with releaseCartLock.',
            { code: CtpErrorCode.CartLocked, status: 409 },
          );
        this.#o.logger.warn(
          { event: 'ctp.cart_lock.stale', cartId: cart.id, lockedAt: cart.lock.createdAt },
          'taking over a cart lock this API client left behind',
        );
        cart = await update(apiRoot, cart, { action: 'unlockCart' });
      }
      return update(apiRoot, cart, { action: 'lockCart' });
    });
  }

  /** Unlocks the cart on its current version (read first, again on 409); whether a lock was released (none if gone). */
  unlock(apiRoot: ByProjectKeyRequestBuilder, cartId: string): Promise<boolean> {
    return retryOnConflict(async () => {
      let cart: Cart;
      try {
        cart = await this.#read(apiRoot, cartId);
      } catch (error) {
        if (CtpError.is(error, CtpErrorCode.ApiNotFound)) return false;
        throw error;
      }
      if (!cart.lock) return false;
      await update(apiRoot, cart, { action: 'unlockCart' });
      return true;
    });
  }

  #isStale(lock: CartLock): boolean {
    const lockedAt = Date.parse(lock.createdAt);
    return (
      lock.clientId === this.#o.clientId &&
      Number.isFinite(lockedAt) &&
      this.#o.clock.now() - lockedAt > CART_LOCK_MAX_MS + STALE_LOCK_GRACE_MS
    );
  }

  async #read(apiRoot: ByProjectKeyRequestBuilder, id: string): Promise<Cart> {
    return (await apiRoot.carts().withId({ ID: id }).get().execute()).body;
  }
}

async function update(apiRoot: ByProjectKeyRequestBuilder, cart: Cart, action: CartUpdateAction): Promise<Cart> {
  const body = { version: cart.version, actions: [action] };
  return (await apiRoot.carts().withId({ ID: cart.id }).post({ body }).execute()).body;
}
