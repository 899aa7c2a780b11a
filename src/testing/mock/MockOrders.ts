import { randomUUID } from 'node:crypto';
import type { MockCarts } from './MockCarts';
import { mockError, versionConflict, type MockApiCall, type MockApiContext } from './mockApi';
import { queryPage } from './mockQuery';

type Json = Record<string, unknown>;

/** What an order copies of its cart. */
const FROM_CART = [
  'customerId',
  'anonymousId',
  'customerEmail',
  'store',
  'lineItems',
  'customLineItems',
  'totalPrice',
  'taxMode',
  'taxRoundingMode',
  'taxCalculationMode',
  'inventoryMode',
  'shippingMode',
  'shipping',
  'shippingAddress',
  'billingAddress',
  'country',
  'itemShippingAddresses',
  'discountCodes',
  'directDiscounts',
  'refusedGifts',
  'origin',
];

/**
 * The orders of the mocked commercetools: created from a cart (`POST /me/orders` with the shopper's
 * cart's `{ id, version }`, `POST /orders` for an API client), which becomes Ordered; read by the
 * shopper under `/me/orders` (their own only) and by an API client under `/orders`, each also under
 * `/in-store/key={storeKey}`.
 */
export class MockOrders {
  readonly #c: MockApiContext;
  readonly #carts: MockCarts;
  readonly #orders: Json[] = [];

  constructor(context: MockApiContext, carts: MockCarts) {
    this.#c = context;
    this.#carts = carts;
  }

  /** A sign-in with the anonymous shopper's id: their orders go to the customer, as on the platform. */
  signIn(customerId: string, anonymousId: unknown): void {
    for (const order of this.#orders)
      if (anonymousId !== undefined && order['anonymousId'] === anonymousId && order['customerId'] === undefined)
        order['customerId'] = customerId;
  }

  /** The built-in answer of an order route, or undefined when the path is none of them. */
  answer(call: MockApiCall): Response | undefined {
    const m = call.path.match(/^\/(me\/)?orders(?:\/([^/]+))?$/);
    if (!m) return undefined;
    const me = m[1] !== undefined;
    const visible = (order: Json) => this.#visible(call, order, me);
    if (m[2] === undefined) {
      if (call.method === 'GET') return queryPage(this.#c, this.#orders.filter(visible), call.query);
      return call.method === 'POST' ? this.#fromCart(call, me) : undefined;
    }
    if (call.method !== 'GET') return undefined;
    const id = decodeURIComponent(m[2]);
    const byNumber = id.match(/^order-number=(.+)$/)?.[1];
    const order = this.#orders.find((o) => (byNumber ? o['orderNumber'] === byNumber : o['id'] === id) && visible(o));
    return order
      ? this.#c.json(order)
      : mockError(
          this.#c,
          404,
          'ResourceNotFound',
          `The Order with ${byNumber ? 'order number' : 'ID'} '${byNumber ?? id}' was not found.`,
        );
  }

  #visible(call: MockApiCall, order: Json, me: boolean): boolean {
    if (call.storeKey !== undefined && (order['store'] as Json | undefined)?.['key'] !== call.storeKey) return false;
    if (!me) return true;
    const { customerId, anonymousId } = call.identity;
    if (customerId !== undefined) return order['customerId'] === customerId;
    return anonymousId !== undefined && order['customerId'] === undefined && order['anonymousId'] === anonymousId;
  }

  #fromCart(call: MockApiCall, me: boolean): Response {
    const body = call.body;
    // MyOrderFromCartDraft names the cart by id; OrderFromCartDraft by `cart: { id }` (or the older `id`).
    const cartId = me ? body['id'] : ((body['cart'] as Json | undefined)?.['id'] ?? body['id']);
    const cart = this.#carts.get(cartId);
    if (!cart || !this.#carts.visible({ ...call, path: me ? '/me/carts' : '/carts' }, cart))
      return mockError(
        this.#c,
        400,
        'ReferencedResourceNotFound',
        `The Cart with ID '${String(cartId)}' was not found.`,
        {
          typeId: 'cart',
          ...(typeof cartId === 'string' ? { id: cartId } : {}),
        },
      );
    if (body['version'] !== cart['version'])
      return versionConflict(this.#c, cart['id'] as string, body['version'], cart['version'] as number);
    if (cart['cartState'] !== 'Active')
      return mockError(
        this.#c,
        400,
        'InvalidOperation',
        `The Cart is ${String(cart['cartState'])}; only an Active cart can be ordered.`,
      );
    if (typeof body['orderNumber'] === 'string' && this.#orders.some((o) => o['orderNumber'] === body['orderNumber']))
      return mockError(
        this.#c,
        400,
        'DuplicateField',
        `An order with the order number '${body['orderNumber']}' exists.`,
        {
          field: 'orderNumber',
          duplicateValue: body['orderNumber'],
        },
      );
    const at = new Date(this.#c.now()).toISOString();
    const order: Json = {
      id: randomUUID(),
      version: 1,
      createdAt: at,
      lastModifiedAt: at,
      ...(typeof body['orderNumber'] === 'string' && !me ? { orderNumber: body['orderNumber'] } : {}),
      ...Object.fromEntries(FROM_CART.filter((f) => cart[f] !== undefined).map((f) => [f, structuredClone(cart[f])])),
      orderState: 'Open',
      cart: { typeId: 'cart', id: cart['id'] },
      syncInfo: [],
      returnInfo: [],
      lastMessageSequenceNumber: 1,
    };
    cart['cartState'] = 'Ordered';
    this.#carts.touch(cart);
    this.#orders.push(order);
    return this.#c.json(order, 201);
  }
}
