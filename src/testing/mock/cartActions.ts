import { randomUUID } from 'node:crypto';
import { variantsOf, type MockCatalog } from './MockCatalog';
import { money } from './mockApi';

type Json = Record<string, unknown>;

/** A refused update action: the platform's error code, message and extra fields (status 400). */
export interface CartActionError {
  code: string;
  message: string;
  extra?: Record<string, unknown>;
}

/** The update actions the mock's carts apply; any other is refused with 400 InvalidInput, as unknown to the mock. */
export const CART_ACTIONS = [
  'addLineItem',
  'removeLineItem',
  'changeLineItemQuantity',
  'setCustomerEmail',
  'setShippingAddress',
  'setBillingAddress',
  'setCountry',
  'lockCart',
  'unlockCart',
] as const;

const centsOf = (m: unknown) => ((m as Json)['centAmount'] as number) ?? 0;
const currencyOf = (cart: Json) => (cart['totalPrice'] as Json)['currencyCode'] as string;

/** Recomputes each line item's and the cart's total price (no taxes, no discounts: the mock has neither). */
export function retotal(cart: Json): void {
  const currency = currencyOf(cart);
  let total = 0;
  for (const item of cart['lineItems'] as Json[]) {
    const cents = centsOf((item['price'] as Json)['value']) * (item['quantity'] as number);
    item['totalPrice'] = money(currency, cents);
    total += cents;
  }
  cart['totalPrice'] = money(currency, total);
}

/** The platform's price selection, simplified: the variant's price in the cart's currency, for its country or for all. */
function selectPrice(variant: Json, cart: Json): Json | undefined {
  const prices = (variant['prices'] as Json[]).filter((p) => (p['value'] as Json)['currencyCode'] === currencyOf(cart));
  return (
    prices.find((p) => p['country'] !== undefined && p['country'] === cart['country']) ??
    prices.find((p) => p['country'] === undefined)
  );
}

/** A line item of `product`'s variant, as the platform adds it (or an error). */
export function newLineItem(catalog: MockCatalog, cart: Json, draft: Json, now: number): Json | CartActionError {
  const bySku = draft['sku'] === undefined ? undefined : catalog.bySku(draft['sku']);
  const product = bySku?.product ?? catalog.product(draft['productId']);
  if (!product || (draft['sku'] === undefined && draft['productId'] === undefined))
    return {
      code: 'ReferencedResourceNotFound',
      message: `The product ${JSON.stringify(draft['sku'] ?? draft['productId'] ?? null)} was not found.`,
      extra: { typeId: 'product', ...(draft['productId'] === undefined ? {} : { id: draft['productId'] }) },
    };
  const variantId = bySku?.variantId ?? (draft['variantId'] as number | undefined) ?? 1;
  const variant = variantsOf(product).find((v) => v['id'] === variantId);
  const quantity = draft['quantity'] ?? 1;
  if (!variant)
    return { code: 'InvalidInput', message: `The product ${String(product['id'])} has no variant ${variantId}.` };
  if (!Number.isInteger(quantity) || (quantity as number) < 1)
    return { code: 'InvalidInput', message: `quantity must be a positive integer, not ${JSON.stringify(quantity)}.` };
  const price = selectPrice(variant, cart);
  if (!price)
    return {
      code: 'MatchingPriceNotFound',
      message: `The variant ${variantId} of product ${String(product['id'])} has no price in ${currencyOf(cart)}.`,
      extra: {
        productId: product['id'],
        variantId,
        currency: currencyOf(cart),
        ...(cart['country'] ? { country: cart['country'] } : {}),
      },
    };
  const current = (product['masterData'] as Json)['current'] as Json;
  const at = new Date(now).toISOString();
  return {
    id: randomUUID(),
    productId: product['id'],
    ...(product['key'] === undefined ? {} : { productKey: product['key'] }),
    name: current['name'],
    productSlug: current['slug'],
    productType: product['productType'],
    variant,
    price,
    quantity,
    totalPrice: money(currencyOf(cart), 0),
    discountedPricePerQuantity: [],
    perMethodTaxRate: [],
    taxedPricePortions: [],
    state: [{ quantity, state: { typeId: 'state', id: 'mock-initial-state' } }],
    priceMode: 'Platform',
    lineItemMode: 'Standard',
    addedAt: at,
    lastModifiedAt: at,
  };
}

const isError = (x: Json | CartActionError): x is CartActionError => typeof x['code'] === 'string' && !('id' in x);

/** Applies one update action to `cart` (mutating it), or says why not. */
export function applyCartAction(
  catalog: MockCatalog,
  cart: Json,
  action: Json,
  now: number,
  /** The API client of the token (lockCart records it as `lock.clientId`). */
  clientId?: string,
): CartActionError | undefined {
  const items = cart['lineItems'] as Json[];
  const item = () => items.find((i) => i['id'] === action['lineItemId']);
  const missingItem = (): CartActionError => ({
    code: 'InvalidInput',
    message: `The cart has no line item ${String(action['lineItemId'])}.`,
  });
  switch (action['action']) {
    case 'addLineItem': {
      const added = newLineItem(catalog, cart, action, now);
      if (isError(added)) return added;
      const same = items.find(
        (i) =>
          i['productId'] === added['productId'] && (i['variant'] as Json)['id'] === (added['variant'] as Json)['id'],
      );
      if (same) same['quantity'] = (same['quantity'] as number) + (added['quantity'] as number);
      else items.push(added);
      break;
    }
    case 'removeLineItem':
    case 'changeLineItemQuantity': {
      const found = item();
      if (!found) return missingItem();
      const quantity =
        action['action'] === 'changeLineItemQuantity'
          ? action['quantity']
          : action['quantity'] === undefined
            ? 0
            : (found['quantity'] as number) - (action['quantity'] as number);
      if (typeof quantity !== 'number' || !Number.isInteger(quantity))
        return { code: 'InvalidInput', message: 'quantity must be an integer.' };
      if (quantity <= 0) items.splice(items.indexOf(found), 1);
      else found['quantity'] = quantity;
      break;
    }
    case 'setCustomerEmail':
    case 'setCountry': {
      const field = action['action'] === 'setCountry' ? 'country' : 'email';
      const value = action[field];
      if (value !== undefined && typeof value !== 'string')
        return { code: 'InvalidInput', message: `${field} must be a string.` };
      const target = field === 'email' ? 'customerEmail' : 'country';
      if (value === undefined) delete cart[target];
      else cart[target] = value;
      break;
    }
    case 'setShippingAddress':
    case 'setBillingAddress': {
      const target = action['action'] === 'setShippingAddress' ? 'shippingAddress' : 'billingAddress';
      const address = action['address'] as Json | undefined;
      if (address === undefined) delete cart[target];
      else if (typeof address !== 'object' || address === null || typeof address['country'] !== 'string')
        return { code: 'InvalidInput', message: 'An address needs a country (ISO 3166-1 alpha-2).' };
      else cart[target] = { ...address };
      break;
    }
    // Who may lock or unlock (manage_locked_carts) is the cart's check, before any action applies.
    case 'lockCart':
      if (cart['lock'] !== undefined) return { code: 'InvalidOperation', message: 'The Cart is locked already.' };
      cart['lock'] = { createdAt: new Date(now).toISOString(), clientId: clientId ?? 'unknown' };
      return undefined;
    case 'unlockCart':
      if (cart['lock'] === undefined) return { code: 'InvalidOperation', message: 'The Cart is not locked.' };
      delete cart['lock'];
      return undefined;
    default:
      return {
        code: 'InvalidInput',
        message: `The update action '${String(action['action'])}' is not one the mock applies (${CART_ACTIONS.join(', ')}); script this update with mock.on().`,
      };
  }
  retotal(cart);
  return undefined;
}
