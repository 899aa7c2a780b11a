import type { ByProjectKeyRequestBuilder, Cart, CartLock, CartUpdateAction } from '@commercetools/platform-sdk';
import { CtpApiError } from '../errors/CtpApiError';
import { CtpArgumentError } from '../errors/CtpArgumentError';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { checkStoreKey } from '../session/account/checkInput';
import type { CtpTelemetry } from '../telemetry/CtpTelemetry';
import type { SharedTokenProvider } from '../tokens/SharedTokenProvider';
import { currentApiCallContext, withApiCallOptions, withoutCallLimits } from '../util/apiCallContext';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import type { ApiRootFactory } from './ApiRootFactory';
import { retryOnConflict } from './retryOnConflict';

/**
 * The longest actAsCustomer holds a cart's lock (5 minutes; less if the call context's deadline is sooner):
 * then its callback is rejected with CTP_CART_LOCK_TIMEOUT and the cart unlocked.
 */
export const CART_LOCK_MAX_MS = 5 * 60_000;

/** Age past CART_LOCK_MAX_MS at which this client's own lock was left by a crash (for unlock retries, clock skew). */
const STALE_LOCK_GRACE_MS = 60_000;

/** What actAsCustomer is told: who acts, and whether the customer's active cart is locked meanwhile. */
export interface ActAsCustomerOptions {
  /** The agent's id in the help desk (1-128 printable ASCII characters), sent as X-External-User-ID. */
  agentId: string;
  /** Lock the customer's active cart for the callback and unlock it after (default false). */
  lockCart?: boolean;
  /** The Store whose active cart is meant (lockCart). */
  storeKey?: string;
}

/** What the callback of actAsCustomer gets. */
export interface ActingForCustomer {
  /** Project-scoped builder on the customerService token; every call carries X-External-User-ID. */
  apiRoot: ByProjectKeyRequestBuilder;
  /** The customer acted for, as passed. */
  customerId: string;
  /** With lockCart: the customer's active cart, locked (its version is the one after locking). */
  cart: Cart | undefined;
}

interface CustomerServiceOptions {
  /** The customerService scope set's shared token (integration-side: never a customer's token). */
  token: SharedTokenProvider;
  apiRoots: ApiRootFactory;
  /** The API client's id: the `lock.clientId` of the locks this client takes. */
  clientId: string;
  clock: Clock;
  logger: Logger;
  telemetry: CtpTelemetry;
}

const CUSTOMER_ID = /^[A-Za-z0-9_-]{1,256}$/;
const AGENT_ID = /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/;

/** CtpClient.actAsCustomer: the platform has no impersonation grant, and no customer's token is made for an agent. */
export class CustomerService {
  readonly #o: CustomerServiceOptions;

  constructor(options: CustomerServiceOptions) {
    this.#o = options;
  }

  async actAsCustomer<T>(
    customerId: string,
    options: ActAsCustomerOptions,
    fn: (acting: ActingForCustomer) => Promise<T>,
  ): Promise<T> {
    if (typeof customerId !== 'string' || !CUSTOMER_ID.test(customerId))
      throw new CtpArgumentError('customerId', "customerId must be a customer's id (1-256 letters, digits, _ or -).");
    const agentId = agentIdOf(options, 'actAsCustomer needs options: { agentId, lockCart?, storeKey? }.');
    const lockCart = options.lockCart ?? false;
    if (typeof lockCart !== 'boolean') throw new CtpArgumentError('lockCart', 'lockCart must be true or false.');
    const storeKey = checkStoreKey(options.storeKey);
    if (typeof fn !== 'function')
      throw new CtpArgumentError(
        'fn',
        'actAsCustomer needs a callback: async ({ apiRoot, customerId, cart }) => result.',
      );
    const ids = { agentId, customerId };
    const attributes = { 'ctp.agent_id': agentId, 'ctp.customer_id': customerId, 'ctp.lock_cart': lockCart };
    this.#o.logger.info(
      { event: 'ctp.act_as_customer.start', ...ids, lockCart, store: storeKey },
      'customer service acting for a customer',
    );
    try {
      const result = await this.#o.telemetry.span('ctp.act_as_customer', attributes, () =>
        this.#act(ids, lockCart, storeKey, fn),
      );
      this.#o.logger.info({ event: 'ctp.act_as_customer.end', ...ids, outcome: 'ok' }, 'customer service done');
      return result;
    } catch (error) {
      this.#o.logger.warn(
        { event: 'ctp.act_as_customer.end', ...ids, outcome: 'failed', code: codeOf(error) },
        'customer service action failed',
      );
      throw error;
    }
  }

  async releaseCartLock(cartId: string, options: { agentId: string }): Promise<{ released: boolean }> {
    if (typeof cartId !== 'string' || !CUSTOMER_ID.test(cartId))
      throw new CtpArgumentError('cartId', "cartId must be a cart's id (1-256 letters, digits, _ or -).");
    const agentId = agentIdOf(options, 'releaseCartLock needs options: { agentId }.');
    const apiRoot = this.#o.apiRoots.forAgent(await this.#o.token.source(), agentId);
    const released = await this.#unlock(apiRoot, cartId);
    this.#o.logger.info({ event: 'ctp.cart_lock.release', agentId, cartId, released }, 'cart lock release asked');
    return { released };
  }

  async #act<T>(
    ids: { agentId: string; customerId: string },
    lockCart: boolean,
    storeKey: string | undefined,
    fn: (acting: ActingForCustomer) => Promise<T>,
  ): Promise<T> {
    const apiRoot = this.#o.apiRoots.forAgent(await this.#o.token.source(), ids.agentId);
    const { customerId } = ids;
    if (!lockCart) return fn({ apiRoot, customerId, cart: undefined });
    // The bound is taken before locking: a lock never outlives it, so an older one of this client is a crash's.
    const deadline = Math.min(currentApiCallContext()?.deadline ?? Infinity, Date.now() + CART_LOCK_MAX_MS);
    const cart = await this.#lock(apiRoot, customerId, storeKey);
    this.#o.logger.info({ event: 'ctp.cart_lock.locked', ...ids, cartId: cart.id }, 'cart locked for customer service');
    const run = withinDeadline(deadline, () => fn({ apiRoot, customerId, cart }));
    const ok = await run.then(() => true).catch(() => false);
    try {
      // Past the caller's deadline or cancellation too: the shopper must not stay locked out.
      await withoutCallLimits(() => this.#unlock(apiRoot, cart.id));
      this.#o.logger.info({ event: 'ctp.cart_lock.unlocked', ...ids, cartId: cart.id }, 'cart unlocked');
    } catch (unlockError) {
      this.#o.logger.error(
        { event: 'ctp.cart_lock.unlock_failed', ...ids, cartId: cart.id, code: codeOf(unlockError) },
        'the cart could not be unlocked; releaseCartLock(cartId) releases it, or the next actAsCustomer once the lock is stale',
      );
      // The callback's own error is rethrown unchanged; a successful result is not worth a locked cart unnoticed.
      if (ok) throw unlockError;
    }
    return run;
  }

  /** Locks the customer's active cart (in the Store, if given); another's lock is CTP_CART_LOCKED, our stale one is taken. */
  async #lock(apiRoot: ByProjectKeyRequestBuilder, customerId: string, storeKey: string | undefined): Promise<Cart> {
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
      if (attempt > 0) cart = await read(apiRoot, cart.id);
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
  #unlock(apiRoot: ByProjectKeyRequestBuilder, cartId: string): Promise<boolean> {
    return retryOnConflict(async () => {
      const cart = await read(apiRoot, cartId).catch((error: unknown) => {
        if (CtpError.is(error, CtpErrorCode.ApiNotFound)) return undefined;
        throw error;
      });
      if (!cart?.lock) return false;
      await update(apiRoot, cart, { action: 'unlockCart' });
      return true;
    });
  }

  #isStale(lock: CartLock): boolean {
    // NaN for a date that cannot be read, which is never past the bound.
    const age = this.#o.clock.now() - Date.parse(lock.createdAt);
    return lock.clientId === this.#o.clientId && age > CART_LOCK_MAX_MS + STALE_LOCK_GRACE_MS;
  }
}

/** The checked agentId of a method's options; `usage` says what options the method needs. */
function agentIdOf(options: { agentId: unknown } | null, usage: string): string {
  if (typeof options !== 'object' || options === null) throw new CtpArgumentError('options', usage);
  const { agentId } = options;
  if (typeof agentId !== 'string' || !AGENT_ID.test(agentId))
    throw new CtpArgumentError(
      'agentId',
      "agentId must be the agent's id: 1-128 printable ASCII characters, no control characters, no leading or trailing space.",
    );
  return agentId;
}

/** Runs `fn` with its API calls bounded by `deadline` (ms since the epoch), and rejects at it whatever `fn` does. */
async function withinDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  const remaining = Math.floor(deadline - Date.now());
  const expired = () =>
    new CtpError(
      CtpErrorCode.CartLockTimeout,
      "actAsCustomer: the callback ran past its deadline (the call context's, or CART_LOCK_MAX_MS); the cart was unlocked. Do less under one lock, or give it more time with withApiCallOptions.",
      { status: 504 },
    );
  if (remaining < 1) throw expired();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), remaining);
  });
  try {
    return await Promise.race([withApiCallOptions({ timeoutMs: remaining }, async () => fn()), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function codeOf(error: unknown): string {
  return error instanceof CtpError ? error.code : 'callback';
}

async function read(apiRoot: ByProjectKeyRequestBuilder, id: string): Promise<Cart> {
  return (await apiRoot.carts().withId({ ID: id }).get().execute()).body;
}

async function update(apiRoot: ByProjectKeyRequestBuilder, cart: Cart, action: CartUpdateAction): Promise<Cart> {
  const body = { version: cart.version, actions: [action] };
  return (await apiRoot.carts().withId({ ID: cart.id }).post({ body }).execute()).body;
}
