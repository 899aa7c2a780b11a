import { randomUUID } from 'node:crypto';
import { applyCartAction, newLineItem, retotal } from './cartActions';
import type { MockCatalog } from './MockCatalog';
import { holdsScope, mockError, money, versionConflict, type MockApiCall, type MockApiContext } from './mockApi';
import { queryPage } from './mockQuery';

type Json = Record<string, unknown>;

/** How a sign-in treats the anonymous shopper's cart (the platform's AnonymousCartSignInMode). */
export type SignInCartMode = 'MergeWithExistingCustomerCart' | 'UseAsNewActiveCustomerCart';

/**
 * The carts of the mocked commercetools, as the platform keeps them: the shopper's own under `/me`
 * (a cart is the shopper's by customerId, or by anonymousId while it has no customer; another
 * shopper's cart is 404), the project's under `/carts` for an API client token, each also under
 * `/in-store/key={storeKey}` (a Store's cart is found only there and at project level). Updates
 * carry the version (409 ConcurrentModification otherwise) and apply all their actions or none.
 * The active cart is the shopper's most recently modified Active cart.
 */
export class MockCarts {
  readonly #c: MockApiContext;
  readonly #catalog: MockCatalog;
  readonly #carts = new Map<string, Json>();
  /** When each cart was last modified, as a sequence (the mock's clock may stand still). */
  readonly #touched = new Map<string, number>();
  #seq = 0;

  constructor(context: MockApiContext, catalog: MockCatalog) {
    this.#c = context;
    this.#catalog = catalog;
  }

  /** A cart by id (for orders), whoever it belongs to. */
  get(id: unknown): Json | undefined {
    return typeof id === 'string' ? this.#carts.get(id) : undefined;
  }

  /** Whether the caller may see `cart` through this call's path (`/me` or project, in a Store or not). */
  visible(call: MockApiCall, cart: Json): boolean {
    if (call.storeKey !== undefined && (cart['store'] as Json | undefined)?.['key'] !== call.storeKey) return false;
    if (!call.path.startsWith('/me/')) return true;
    const { customerId, anonymousId } = call.identity;
    if (customerId !== undefined) return cart['customerId'] === customerId;
    return anonymousId !== undefined && cart['customerId'] === undefined && cart['anonymousId'] === anonymousId;
  }

  /** Marks a change: version and lastModifiedAt move on, and the cart becomes the most recently modified. */
  touch(cart: Json): void {
    cart['version'] = (cart['version'] as number) + 1;
    cart['lastModifiedAt'] = new Date(this.#c.now()).toISOString();
    this.#touched.set(cart['id'] as string, (this.#seq += 1));
  }

  /** The most recently modified Active cart matching `mine`. */
  active(mine: (cart: Json) => boolean): Json | undefined {
    const order = (cart: Json) => this.#touched.get(cart['id'] as string) ?? 0;
    return [...this.#carts.values()]
      .filter((cart) => cart['cartState'] === 'Active' && mine(cart))
      .sort((a, b) => order(b) - order(a))[0];
  }

  /**
   * A sign-in with the anonymous shopper's id (`/login`, a sign-up): the anonymous Active cart goes to
   * the customer as the platform moves it; the answer's cart is the customer's active cart then.
   */
  signIn(customerId: string, anonymousId: unknown, mode: unknown, storeKey: string | undefined): Json | undefined {
    // An in-store sign-in takes that Store's carts and those of no Store.
    const inStore = (cart: Json) => {
      const store = (cart['store'] as Json | undefined)?.['key'];
      return storeKey === undefined || store === undefined || store === storeKey;
    };
    const anonymous =
      typeof anonymousId === 'string'
        ? this.active((c) => c['anonymousId'] === anonymousId && c['customerId'] === undefined && inStore(c))
        : undefined;
    const existing = this.active((c) => c['customerId'] === customerId && inStore(c));
    if (anonymous && existing && mode !== 'UseAsNewActiveCustomerCart') {
      // MergeWithExistingCustomerCart: the anonymous line items join the customer's cart; a variant in both keeps the larger quantity.
      for (const item of anonymous['lineItems'] as Json[]) {
        const same = (existing['lineItems'] as Json[]).find(
          (i) =>
            i['productId'] === item['productId'] && (i['variant'] as Json)['id'] === (item['variant'] as Json)['id'],
        );
        if (same) same['quantity'] = Math.max(same['quantity'] as number, item['quantity'] as number);
        else (existing['lineItems'] as Json[]).push({ ...item, id: randomUUID() });
      }
      retotal(existing);
      this.touch(existing);
      anonymous['cartState'] = 'Merged';
      this.touch(anonymous);
    } else if (anonymous) {
      anonymous['customerId'] = customerId;
      this.touch(anonymous);
    }
    return this.active((c) => c['customerId'] === customerId && inStore(c));
  }

  /** The built-in answer of a cart route, or undefined when the path is none of them. */
  answer(call: MockApiCall): Response | undefined {
    const m = call.path.match(/^\/(?:me\/(carts|active-cart)|(carts))(?:\/([^/]+))?$/);
    if (!m || (m[1] === 'active-cart' && m[3] !== undefined)) return undefined;
    const me = m[1] !== undefined;
    const id = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
    const notFound = (what: string) =>
      mockError(this.#c, 404, 'ResourceNotFound', `The Cart with ${what} was not found.`);
    if (m[1] === 'active-cart') {
      if (call.method !== 'GET') return undefined;
      const cart = this.active((c) => this.visible(call, c));
      return cart ? this.#c.json(cart) : mockError(this.#c, 404, 'ResourceNotFound', 'No active cart exists.');
    }
    if (id === undefined) {
      if (call.method === 'GET')
        return queryPage(
          this.#c,
          [...this.#carts.values()].filter((c) => this.visible(call, c)),
          call.query,
        );
      return call.method === 'POST' ? this.#create(call, me) : undefined;
    }
    const customer = id.match(/^customer-id=(.+)$/);
    if (customer && !me && call.method === 'GET') {
      const cart = this.active((c) => c['customerId'] === customer[1] && this.visible(call, c));
      return cart ? this.#c.json(cart) : notFound(`customer ID '${customer[1]}'`);
    }
    const cart = this.#carts.get(id);
    if (!cart || !this.visible(call, cart)) return notFound(`ID '${id}'`);
    if (call.method === 'GET') return this.#c.json(cart);
    if (call.method === 'POST') return this.#update(call, cart);
    if (call.method !== 'DELETE') return undefined;
    const version = call.query.get('version');
    if (version === null) return mockError(this.#c, 400, 'InvalidInput', 'Missing version number.');
    if (Number(version) !== cart['version']) return versionConflict(this.#c, id, version, cart['version'] as number);
    this.#carts.delete(id);
    this.#touched.delete(id);
    return this.#c.json(cart);
  }

  #create(call: MockApiCall, me: boolean): Response {
    const draft = call.body;
    if (typeof draft['currency'] !== 'string' || !/^[A-Z]{3}$/.test(draft['currency']))
      return mockError(
        this.#c,
        400,
        'InvalidJsonInput',
        'Request body does not contain valid JSON: currency is missing.',
        {
          detailedErrorMessage: 'currency: Missing required value',
        },
      );
    const owner = me
      ? call.identity.customerId !== undefined
        ? { customerId: call.identity.customerId }
        : { anonymousId: call.identity.anonymousId }
      : {
          ...(typeof draft['customerId'] === 'string' ? { customerId: draft['customerId'] } : {}),
          ...(typeof draft['anonymousId'] === 'string' ? { anonymousId: draft['anonymousId'] } : {}),
        };
    // The Store of an in-store path, or the one a project-level draft names (`store: { key }`).
    const named = me ? undefined : (draft['store'] as Json | undefined)?.['key'];
    const storeKey = call.storeKey ?? (typeof named === 'string' ? named : undefined);
    const at = new Date(this.#c.now()).toISOString();
    const copied = ['key', 'customerEmail', 'country', 'shippingAddress', 'billingAddress'].filter(
      (f) => draft[f] !== undefined,
    );
    const cart: Json = {
      id: randomUUID(),
      version: 1,
      createdAt: at,
      lastModifiedAt: at,
      ...owner,
      ...Object.fromEntries(copied.map((f) => [f, draft[f]])),
      ...(storeKey === undefined ? {} : { store: { typeId: 'store', key: storeKey } }),
      lineItems: [],
      customLineItems: [],
      totalPrice: money(draft['currency'], 0),
      taxMode: 'Platform',
      taxRoundingMode: 'HalfEven',
      taxCalculationMode: 'LineItemLevel',
      priceRoundingMode: 'HalfEven',
      inventoryMode: 'None',
      cartState: 'Active',
      shippingMode: 'Single',
      shipping: [],
      itemShippingAddresses: [],
      discountCodes: [],
      directDiscounts: [],
      refusedGifts: [],
      origin: 'Customer',
      deleteDaysAfterLastModification: 90,
    };
    for (const draftItem of Array.isArray(draft['lineItems']) ? (draft['lineItems'] as Json[]) : []) {
      const item = newLineItem(this.#catalog, cart, draftItem, this.#c.now());
      if (!('id' in item)) return mockError(this.#c, 400, String(item.code), String(item.message), item.extra as Json);
      (cart['lineItems'] as Json[]).push(item);
    }
    retotal(cart);
    this.#carts.set(cart['id'] as string, cart);
    this.#touched.set(cart['id'] as string, (this.#seq += 1));
    return this.#c.json(cart, 201);
  }

  /**
   * A locked cart (`lock`, set by lockCart) refuses every update of a token without
   * manage_locked_carts, which lockCart and unlockCart need too. The platform does not document how it
   * refuses an update of a locked cart; the mock answers 400 InvalidOperation (the library reads the
   * cart's lock instead of relying on that).
   */
  #update(call: MockApiCall, cart: Json): Response {
    const body = call.body;
    const actions = Array.isArray(body['actions']) ? (body['actions'] as Json[]) : [];
    const locking = actions.some((a) => a['action'] === 'lockCart' || a['action'] === 'unlockCart');
    const mayLock = holdsScope(this.#c, call.identity, call.storeKey, ['manage_locked_carts']);
    if (locking && !mayLock)
      return mockError(
        this.#c,
        403,
        'insufficient_scope',
        'Insufficient scope. One of the following scopes is missing: manage_locked_carts.',
      );
    if (cart['lock'] !== undefined && !mayLock)
      return mockError(this.#c, 400, 'InvalidOperation', 'The Cart is locked and cannot be updated.');
    if (body['version'] !== cart['version'])
      return versionConflict(this.#c, cart['id'] as string, body['version'], cart['version'] as number);
    if (!Array.isArray(body['actions']))
      return mockError(
        this.#c,
        400,
        'InvalidJsonInput',
        'Request body does not contain valid JSON: actions is missing.',
      );
    // All actions or none, as the platform: they apply to a copy that replaces the cart only when every one succeeded.
    const next = structuredClone(cart);
    for (const action of body['actions'] as Json[]) {
      const refused = applyCartAction(this.#catalog, next, action, this.#c.now(), call.clientId);
      if (refused) return mockError(this.#c, 400, refused.code, refused.message, refused.extra);
    }
    if (call.externalUserId !== undefined)
      next['lastModifiedBy'] = { clientId: call.clientId, externalUserId: call.externalUserId };
    Object.assign(cart, next);
    for (const key of Object.keys(cart)) if (!(key in next)) delete cart[key];
    this.touch(cart);
    return this.#c.json(cart);
  }
}
