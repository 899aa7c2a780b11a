import type { ScopeSpec } from './ScopeSetName';

const SCOPE_NAME = /^[a-z][a-z0-9_]*$/;
const KEY = /^[A-Za-z0-9_-]{2,256}$/;

export function scopeName(spec: ScopeSpec): string {
  return typeof spec === 'string' ? spec : spec.name;
}

/** `name:projectKey`, or `name:projectKey:storeKey` for a Store-scoped spec. */
export function renderScope(spec: ScopeSpec, projectKey: string): string {
  return typeof spec === 'string' ? `${spec}:${projectKey}` : `${spec.name}:${projectKey}:${spec.storeKey}`;
}

/** What is wrong with a spec, or undefined. Checked at configuration time. */
export function scopeSpecProblem(spec: ScopeSpec): string | undefined {
  const name = scopeName(spec);
  if (!SCOPE_NAME.test(name)) return `"${name}" is not a scope name (lower-case letters, digits, _)`;
  if (typeof spec !== 'string' && !KEY.test(spec.storeKey))
    return `store key "${spec.storeKey}" of scope ${name} is invalid`;
  return undefined;
}

/**
 * Parses a full scope string such as the Merchant Center's `CTP_SCOPES`
 * (`manage_orders:my-project view_products:my-project:store-1`) into specs of the given project.
 */
export function parseScopeList(value: string, projectKey: string): { specs: ScopeSpec[]; problems: string[] } {
  const specs: ScopeSpec[] = [];
  const problems: string[] = [];
  for (const item of value.split(/\s+/).filter(Boolean)) {
    const [name = '', key, storeKey, ...rest] = item.split(':');
    if (key === undefined || rest.length > 0) {
      problems.push(`scope "${item}" must be name:projectKey or name:projectKey:storeKey`);
    } else if (key !== projectKey) {
      problems.push(`scope "${item}" is for project "${key}", not "${projectKey}"`);
    } else {
      const spec: ScopeSpec = storeKey === undefined ? name : { name, storeKey };
      const problem = scopeSpecProblem(spec);
      if (problem) problems.push(problem);
      else specs.push(spec);
    }
  }
  return { specs, problems };
}

/**
 * Splits a granted `scope` into its scopes and the identity commercetools appends
 * (`customer_id:{id}` or `anonymous_id:{id}`), which is not a permission.
 */
export function parseGrantedScope(scope: string): { scopes: string[]; customerId?: string; anonymousId?: string } {
  const scopes: string[] = [];
  const result: { scopes: string[]; customerId?: string; anonymousId?: string } = { scopes };
  for (const item of scope.split(/\s+/).filter(Boolean)) {
    if (item.startsWith('customer_id:')) result.customerId = item.slice('customer_id:'.length);
    else if (item.startsWith('anonymous_id:')) result.anonymousId = item.slice('anonymous_id:'.length);
    else scopes.push(item);
  }
  return result;
}

/**
 * The reads a shopper's token may carry: what a storefront shows anyone. Left out on purpose: every read
 * of shoppers' records, `view_customer_groups`, `view_discount_codes` (a code is a bearer secret, often
 * one shopper's) and `view_cart_discounts`/`view_product_discounts` (promotions not yet announced).
 */
export const PUBLIC_READ_SCOPES: readonly string[] = Object.freeze([
  'view_products',
  'view_published_products',
  'view_categories',
  'view_standalone_prices',
  'view_shipping_methods',
  'view_stores',
  'view_tax_categories',
  'view_types',
  'view_product_types',
  'view_product_selections',
  'view_attribute_groups',
  'view_channels',
  'view_zones',
  'view_project_settings',
]);

/**
 * A scope a shopper's token must not carry by default: anything but its own data, the public reads and
 * `create_anonymous_token`. An allow-list, so a scope commercetools adds later is refused until checked.
 */
export function isSharedDataScope(name: string): boolean {
  const ownData = name.startsWith('manage_my_') || name.startsWith('view_my_');
  return !ownData && name !== 'create_anonymous_token' && !PUBLIC_READ_SCOPES.includes(name);
}
