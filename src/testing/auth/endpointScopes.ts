import { apiRefusal, type FakeAnswer } from './fakeAnswers';
import type { TokenOwner } from './StrictAuth';

/**
 * The scope each API endpoint needs, as commercetools' API reference lists it (`securedBy`): one of
 * the listed scopes suffices, `manage_X` covers `view_X`, `manage_project` covers everything. An
 * in-store endpoint (`/in-store/key={storeKey}/...`) accepts the plain scope or that Store's one; a
 * project endpoint only the plain one. Endpoints not listed here are not checked (the fakes answer
 * them only when a test scripts them).
 */
interface Rule {
  path: RegExp;
  /** The scope names for reads (GET, HEAD) and for writes. */
  read: readonly string[];
  write: readonly string[];
  /** Who the token must belong to: a shopper (anonymous or customer) or a signed-in customer. */
  who?: 'shopper' | 'customer';
}

const catalogue = (view: string[], manage: string[]): Pick<Rule, 'read' | 'write'> => ({
  read: [...view, ...manage],
  write: manage,
});

const RULES: readonly Rule[] = [
  {
    path: /^\/me(?:\/password)?$/,
    read: ['view_my_profile', 'manage_my_profile'],
    write: ['manage_my_profile'],
    who: 'customer',
  },
  { path: /^\/me\/login$/, read: [], write: ['manage_my_profile'], who: 'shopper' },
  {
    path: /^\/me\/(?:carts|orders|active-cart)(?:\/.*)?$/,
    ...catalogue(['view_my_orders'], ['manage_my_orders']),
    who: 'shopper',
  },
  {
    path: /^\/me\/shopping-lists(?:\/.*)?$/,
    ...catalogue(['view_my_shopping_lists'], ['manage_my_shopping_lists']),
    who: 'shopper',
  },
  { path: /^\/me\/payments(?:\/.*)?$/, ...catalogue([], ['manage_my_payments']), who: 'shopper' },
  {
    path: /^\/me\/business-units(?:\/.*)?$/,
    ...catalogue(['view_my_business_units'], ['manage_my_business_units']),
    who: 'customer',
  },
  { path: /^\/me\/quote-requests(?:\/.*)?$/, ...catalogue([], ['manage_my_quote_requests']), who: 'customer' },
  { path: /^\/me\/quotes(?:\/.*)?$/, ...catalogue([], ['manage_my_quotes']), who: 'customer' },
  { path: /^\/categories(?:\/.*)?$/, ...catalogue(['view_categories', 'view_products'], ['manage_categories']) },
  {
    path: /^\/product-projections(?:\/.*)?$/,
    ...catalogue(['view_published_products', 'view_products'], ['manage_products']),
  },
  { path: /^\/products(?:\/.*)?$/, ...catalogue(['view_products'], ['manage_products']) },
  {
    path: /^\/product-types(?:\/.*)?$/,
    ...catalogue(['view_product_types', 'view_products'], ['manage_product_types']),
  },
  { path: /^\/(?:carts|orders)(?:\/.*)?$/, ...catalogue(['view_orders'], ['manage_orders']) },
  { path: /^\/login$/, read: [], write: ['manage_customers'] },
  { path: /^\/customers(?:\/.*)?$/, ...catalogue(['view_customers'], ['manage_customers']) },
  { path: /^\/stores(?:\/.*)?$/, ...catalogue(['view_stores'], ['manage_stores']) },
  { path: /^\/shipping-methods(?:\/.*)?$/, ...catalogue(['view_shipping_methods'], ['manage_shipping_methods']) },
  { path: /^\/standalone-prices(?:\/.*)?$/, ...catalogue(['view_standalone_prices'], ['manage_standalone_prices']) },
  { path: /^\/?$/, ...catalogue(['view_project_settings'], ['manage_project_settings']) },
];

/** The scope names a `view_` request also accepts: its `manage_` form. */
function withManage(names: readonly string[]): string[] {
  return [
    ...new Set([
      ...names,
      ...names.filter((n) => n.startsWith('view_')).map((n) => `manage_${n.slice('view_'.length)}`),
    ]),
  ];
}

/**
 * The platform's refusal of an API call whose token lacks the endpoint's scope (403
 * insufficient_scope), or undefined when the token may make it. `apiPath` is the path after
 * `/{projectKey}`.
 */
export function endpointRefusal(
  projectKey: string,
  method: string,
  apiPath: string,
  owner: TokenOwner,
): FakeAnswer | undefined {
  const inStore = apiPath.match(/^\/in-store\/key=([^/]+)(\/.*)$/);
  const storeKey = inStore ? decodeURIComponent(inStore[1]!) : undefined;
  const path = inStore?.[2] ?? apiPath;
  const rule = RULES.find((r) => r.path.test(path));
  if (!rule) return undefined;
  const names = withManage(method === 'GET' || method === 'HEAD' ? rule.read : rule.write);
  const held = owner.scopes.some((scope) => {
    const [name = '', project, store] = scope.split(':');
    if (project !== projectKey) return false;
    if (name === 'manage_project') return true;
    return names.includes(name) && (store === undefined || store === storeKey);
  });
  if (!held)
    return apiRefusal(
      403,
      'insufficient_scope',
      `Insufficient scope. One of the following scopes is missing: ${names.join(', ')}.`,
    );
  if (rule.who === 'shopper' && owner.kind === 'client')
    return apiRefusal(403, 'insufficient_scope', 'This endpoint needs a customer or anonymous token.');
  if (rule.who === 'customer' && owner.kind !== 'customer')
    return apiRefusal(403, 'insufficient_scope', 'This endpoint needs a customer token.');
  return undefined;
}
