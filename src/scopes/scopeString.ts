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
  if (typeof spec !== 'string' && !KEY.test(spec.storeKey)) return `store key "${spec.storeKey}" of scope ${name} is invalid`;
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
    if (item.startsWith('customer_id:')) result.customerId = detached(item.slice('customer_id:'.length));
    else if (item.startsWith('anonymous_id:')) result.anonymousId = detached(item.slice('anonymous_id:'.length));
    else scopes.push(item);
  }
  return result;
}

/** A write scope on shared data: `manage_*` but not `manage_my_*`. */
export function isSharedWriteScope(name: string): boolean {
  return name.startsWith('manage_') && !name.startsWith('manage_my_');
}

/**
 * A copy of `s` that does not point into the string it was cut from. V8 keeps a substring of 13+
 * characters as a slice of its parent: a customer id kept in a stored session would keep the whole
 * granted `scope` answer (about 450 B) alive with it. JSON.parse builds a new flat string.
 */
function detached(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
