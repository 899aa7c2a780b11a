/** The callers a token can be granted for; each has its own least-privilege scope set. */
export const SCOPE_SET_NAMES = [
  'integration',
  'guest',
  'anonymous',
  'customer',
  'checkout',
  'customerService',
] as const;

export type ScopeSetName = (typeof SCOPE_SET_NAMES)[number];

/** A scope name, or a Store-scoped one (rendered `name:projectKey:storeKey`). */
export type ScopeSpec = string | { readonly name: string; readonly storeKey: string };
