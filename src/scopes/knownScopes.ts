import { closestName } from '../util/closestName';
import type { ScopeSpec } from './ScopeSetName';

/**
 * Every scope name commercetools documents (docs.commercetools.com/api/scopes, with the Import API,
 * Checkout and Connect pages; December 2026), so a typo in a configured scope set or CTP_SCOPES fails
 * at start with the name it probably meant, not as a 400 invalid_scope on the first grant. The
 * least-privilege sets of shared/seeds/commercetools-scopes.txt are all in here. A scope commercetools
 * adds later goes into this one list.
 */
export const KNOWN_SCOPE_NAMES: ReadonlySet<string> = new Set([
  // Authorization
  'create_anonymous_token',
  'introspect_oauth_tokens',
  // Project configuration (manage_project is known, and refused: see scopeNameProblem)
  'manage_project',
  'view_api_clients',
  'manage_api_clients',
  'view_project_settings',
  'manage_project_settings',
  'view_stores',
  'manage_stores',
  'view_types',
  'manage_types',
  'view_states',
  'manage_states',
  'view_key_value_documents',
  'manage_key_value_documents',
  'manage_extensions',
  'manage_subscriptions',
  'view_messages',
  'view_audit_log',
  'view_zones',
  'manage_zones',
  'view_channels',
  'manage_channels',
  // Product catalog
  'view_products',
  'manage_products',
  'view_published_products',
  'view_product_types',
  'manage_product_types',
  'view_product_selections',
  'manage_product_selections',
  'view_categories',
  'manage_categories',
  'view_attribute_groups',
  'manage_attribute_groups',
  // Pricing and discounts
  'view_standalone_prices',
  'manage_standalone_prices',
  'view_product_discounts',
  'manage_product_discounts',
  'view_cart_discounts',
  'manage_cart_discounts',
  'view_discount_codes',
  'manage_discount_codes',
  'view_tax_categories',
  'manage_tax_categories',
  'view_shipping_methods',
  'manage_shipping_methods',
  // Carts, orders, payments, quotes
  'view_orders',
  'manage_orders',
  'manage_locked_carts',
  'view_order_edits',
  'manage_order_edits',
  'view_recurring_orders',
  'manage_recurring_orders',
  'view_payments',
  'manage_payments',
  'view_payment_methods',
  'manage_payment_methods',
  'view_quote_requests',
  'manage_quote_requests',
  'view_staged_quotes',
  'manage_staged_quotes',
  'view_quotes',
  'manage_quotes',
  'view_shopping_lists',
  'manage_shopping_lists',
  // Customers and B2B
  'view_customers',
  'manage_customers',
  'view_customer_groups',
  'manage_customer_groups',
  'view_business_units',
  'manage_business_units',
  'view_associate_roles',
  'manage_associate_roles',
  'view_approval_rules',
  'manage_approval_rules',
  'view_approval_flows',
  'manage_approval_flows',
  'manage_intake_agent',
  // The shopper's own data (Me endpoints)
  'manage_my_profile',
  'manage_my_orders',
  'manage_my_payments',
  'manage_my_shopping_lists',
  'manage_my_business_units',
  'manage_my_quote_requests',
  'manage_my_quotes',
  // Import API, Checkout, Connect
  'view_import_containers',
  'manage_import_containers',
  'view_sessions',
  'manage_sessions',
  'view_checkout_applications',
  'manage_checkout_applications',
  'view_checkout_payment_intents',
  'manage_checkout_payment_intents',
  'view_checkout_transactions',
  'manage_checkout_transactions',
  'view_connectors',
  'manage_connectors',
  'view_connectors_deployments',
  'manage_connectors_deployments',
]);

/**
 * What is wrong with a scope name configured for a token, or undefined: not a known commercetools
 * scope (with the one it probably meant), or `manage_project`, which defeats least privilege.
 */
export function scopeNameProblem(name: string): string | undefined {
  if (name === 'manage_project') {
    return 'manage_project is refused: it grants every permission of the project, and an API client holding it cannot ask for fewer, so no token would be least-privilege; name the scopes the app needs instead (ctp-client doctor shows what a set is granted)';
  }
  if (KNOWN_SCOPE_NAMES.has(name)) return undefined;
  const closest = closestName(name, KNOWN_SCOPE_NAMES);
  return closest === undefined
    ? `"${name}" is not a commercetools scope (see docs.commercetools.com/api/scopes)`
    : `"${name}" is not a commercetools scope: did you mean ${closest}?`;
}

/**
 * The problems of one configured scope set, each starting with `label` (the option or variable that
 * holds it, e.g. `scopes.customer` or `CTP_SCOPES`): not an array, an entry that is neither a name
 * nor `{ name, storeKey }`, or a name scopeNameProblem refuses.
 */
export function scopeSetProblems(label: string, specs: unknown): string[] {
  if (!Array.isArray(specs))
    return [`${label} must be an array of scope names, e.g. ['view_categories', 'manage_my_orders']`];
  const problems: string[] = [];
  for (const spec of specs as unknown[]) {
    const name = typeof spec === 'string' ? spec : isStoreSpec(spec) ? spec.name : undefined;
    if (name === undefined) {
      problems.push(`${label} holds an entry that is neither a scope name nor { name, storeKey }`);
      continue;
    }
    const problem = scopeNameProblem(name);
    if (problem !== undefined) problems.push(`${label}: ${problem}`);
  }
  return problems;
}

function isStoreSpec(spec: unknown): spec is Extract<ScopeSpec, object> {
  const s = spec as { name?: unknown; storeKey?: unknown } | null;
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.storeKey === 'string';
}
