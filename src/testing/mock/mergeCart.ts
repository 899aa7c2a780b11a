import type { MockCarts } from './MockCarts';
import { mockError, type MockApiCall, type MockApiContext } from './mockApi';

type Json = Record<string, unknown>;

const MERGE_MODES = ['MergeWithExistingCustomerCart', 'UseAsNewActiveCustomerCart'];

/**
 * Merge Cart (`POST /carts/customer-id={id}/merge`, and in a Store), the way customers of an external
 * identity provider get their anonymous cart: the body names the anonymous cart (`anonymousCart`
 * or `anonymousId`, one of them) and a `mergeMode`. As the platform since 2025-10-23, the anonymous
 * cart becomes the customer's active cart when they have none; otherwise its line items join the
 * customer's cart (MergeWithExistingCustomerCart) or it replaces it as the active one
 * (UseAsNewActiveCustomerCart). The answer is the customer's active cart. An unknown customer, or
 * no such anonymous cart, is 404. Undefined when the call is not a Merge Cart.
 */
export function mergeCart(c: MockApiContext, carts: MockCarts, call: MockApiCall): Response | undefined {
  const m = call.method === 'POST' ? call.path.match(/^\/carts\/customer-id=([^/]+)\/merge$/) : null;
  if (!m) return undefined;
  const customerId = decodeURIComponent(m[1]!);
  const { anonymousCart, anonymousId, mergeMode, updateProductData } = call.body;
  const cartRef = anonymousCart as Json | undefined;
  const invalid = (message: string) => mockError(c, 400, 'InvalidInput', message);
  if ((anonymousCart === undefined) === (anonymousId === undefined))
    return invalid('Exactly one of anonymousCart and anonymousId must be set.');
  if (anonymousId !== undefined && (typeof anonymousId !== 'string' || anonymousId === ''))
    return invalid('anonymousId must be a non-empty string.');
  if (cartRef !== undefined && (typeof cartRef !== 'object' || cartRef === null || typeof cartRef['id'] !== 'string'))
    return invalid('anonymousCart must be a reference { typeId: "cart", id }.');
  if (typeof mergeMode !== 'string' || !MERGE_MODES.includes(mergeMode))
    return invalid(`mergeMode must be one of ${MERGE_MODES.join(', ')}.`);
  if (updateProductData !== undefined && typeof updateProductData !== 'boolean')
    return invalid('updateProductData must be a boolean.');
  if (!c.customers.some((customer) => customer.id === customerId))
    return mockError(c, 404, 'ResourceNotFound', `The Customer with ID '${customerId}' was not found.`);
  // In a Store: that Store's carts and those of no Store, as an in-store sign-in takes them.
  const inStore = (cart: Json) => {
    const store = (cart['store'] as Json | undefined)?.['key'];
    return call.storeKey === undefined || store === undefined || store === call.storeKey;
  };
  const anonymous =
    cartRef !== undefined
      ? carts.get(cartRef['id'])
      : carts.active(
          (cart) => cart['anonymousId'] === anonymousId && cart['customerId'] === undefined && inStore(cart),
        );
  if (
    !anonymous ||
    anonymous['cartState'] !== 'Active' ||
    anonymous['customerId'] !== undefined ||
    !inStore(anonymous) ||
    typeof anonymous['anonymousId'] !== 'string'
  )
    return mockError(c, 404, 'ResourceNotFound', 'The anonymous cart was not found.');
  const active = carts.signIn(customerId, anonymous['anonymousId'], mergeMode, call.storeKey);
  return active ? c.json(active) : mockError(c, 404, 'ResourceNotFound', 'The anonymous cart was not found.');
}
