import type { ScopeSetName, ScopeSpec } from './ScopeSetName';

/**
 * `integration` is what the server-v3 doc asks of the integration client; the shopper sets are
 * commercetools' least-privilege suggestions (crawler, guest, logged-in user), the narrower where it offers two.
 */
export const DEFAULT_SCOPE_SETS: Readonly<Record<ScopeSetName, readonly ScopeSpec[]>> = Object.freeze({
  integration: Object.freeze([
    'view_project_settings',
    'view_categories',
    'view_published_products',
    'view_products',
    'manage_orders',
    'manage_payments',
    'manage_customers',
    'view_customers',
  ]),
  // view_standalone_prices is "if your project uses Standalone Prices" for crawlers: left out here.
  guest: Object.freeze(['view_categories', 'view_published_products', 'create_anonymous_token']),
  anonymous: Object.freeze([
    'view_categories',
    'view_published_products',
    'view_shipping_methods',
    'view_standalone_prices',
    'manage_my_orders',
    'manage_my_payments',
    'manage_my_shopping_lists',
    'create_anonymous_token',
  ]),
  customer: Object.freeze([
    'view_categories',
    'view_published_products',
    'view_shipping_methods',
    'view_standalone_prices',
    'manage_my_business_units',
    'manage_my_orders',
    'manage_my_payments',
    'manage_my_profile',
    'manage_my_quote_requests',
    'manage_my_quotes',
    'manage_my_shopping_lists',
  ]),
  // commercetools Checkout's session host only (checkoutSession()): the token never leaves the library.
  checkout: Object.freeze(['manage_sessions']),
  // actAsCustomer(): read the customer and their active cart, update it, lock and unlock it.
  customerService: Object.freeze(['view_customers', 'manage_orders', 'manage_locked_carts']),
});
