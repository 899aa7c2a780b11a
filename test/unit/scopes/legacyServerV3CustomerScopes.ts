/**
 * The customer list server-v3 uses today (shared/seeds/ctp-client.md; docs/configuration.md). It is
 * unsafe, which is why the default `customer` set (src/scopes/defaultScopeSets.ts) does not follow
 * it: `view_orders`, `view_payments` and `view_shopping_lists` give every shopper's token read access
 * to all orders, payments and shopping lists of the project, and `manage_orders` and
 * `manage_customers` let it read and change every order and customer. The registry refuses it unless
 * `unsafeAllowSharedDataScopesForShoppers` is set.
 */
export const LEGACY_SERVER_V3_CUSTOMER_SCOPES: readonly string[] = Object.freeze([
  'view_stores',
  'view_orders',
  'view_payments',
  'view_shopping_lists',
  'manage_my_profile',
  'manage_orders',
  'manage_customers',
  'manage_my_orders',
  'manage_my_payments',
  'manage_my_shopping_lists',
]);
