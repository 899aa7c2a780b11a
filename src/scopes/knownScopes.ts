import { closestName } from '../util/closestName';
import type { ScopeSpec } from './ScopeSetName';

/** The resources commercetools has a `view_` and a `manage_` scope for (docs.commercetools.com/api/scopes). */
const VIEW_AND_MANAGE = [
  // Project configuration
  'api_clients',
  'project_settings',
  'stores',
  'types',
  'states',
  'key_value_documents',
  'zones',
  'channels',
  // Product catalog
  'products',
  'product_types',
  'product_selections',
  'categories',
  'attribute_groups',
  // Pricing and discounts
  'standalone_prices',
  'product_discounts',
  'cart_discounts',
  'discount_codes',
  'tax_categories',
  'shipping_methods',
  // Carts, orders, payments, quotes
  'orders',
  'order_edits',
  'recurring_orders',
  'payments',
  'payment_methods',
  'quote_requests',
  'staged_quotes',
  'quotes',
  'shopping_lists',
  // Customers and B2B
  'customers',
  'customer_groups',
  'business_units',
  'associate_roles',
  'approval_rules',
  'approval_flows',
  // Import API, Checkout, Connect
  'import_containers',
  'sessions',
  'checkout_applications',
  'checkout_payment_intents',
  'checkout_transactions',
  'connectors',
  'connectors_deployments',
];

/**
 * Every scope name commercetools documents (with the Import API, Checkout and Connect pages; December
 * 2026), so a typo in a configured scope set or CTP_SCOPES fails at start with the name it probably
 * meant, not as a 400 invalid_scope on the first grant. A scope commercetools adds later goes in here.
 */
export const KNOWN_SCOPE_NAMES: ReadonlySet<string> = new Set([
  ...VIEW_AND_MANAGE.flatMap((resource) => [`view_${resource}`, `manage_${resource}`]),
  'create_anonymous_token',
  'introspect_oauth_tokens',
  // Known, and refused: see scopeNameProblem.
  'manage_project',
  'manage_extensions',
  'manage_subscriptions',
  'view_messages',
  'view_audit_log',
  'view_published_products',
  'manage_locked_carts',
  'manage_intake_agent',
  // The shopper's own data (Me endpoints)
  'manage_my_profile',
  'manage_my_orders',
  'manage_my_payments',
  'manage_my_shopping_lists',
  'manage_my_business_units',
  'manage_my_quote_requests',
  'manage_my_quotes',
]);

/** What is wrong with a configured scope name: unknown (with the name it probably meant), or manage_project. */
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

/** The problems of one configured scope set, each starting with `label` (e.g. `scopes.customer` or `CTP_SCOPES`). */
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
