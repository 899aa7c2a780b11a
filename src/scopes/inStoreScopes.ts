import { scopeDifference } from './scopeDifference';

/**
 * In-store grants, checked per capability. The in-store `/me` endpoints accept either the plain scope
 * (`manage_my_orders:{projectKey}`) or the Store one (`manage_my_orders:{projectKey}:{storeKey}`), and
 * the auth server answers the scopes it granted: an API client holding the plain scopes gets plain
 * ones back even when the Store ones were asked (shared/reference/commercetools-platform-2026.md; no
 * captured answer exists, so both forms, and both together, are accepted). So a requested capability
 * X for Store S holds when `X:{projectKey}` or `X:{projectKey}:{S}` was granted, and an in-store
 * answer is never compared for equality with the request.
 */

/** `X:{projectKey}` for `X:{projectKey}` and `X:{projectKey}:{storeKey}`; any other scope as it is. */
function capabilityOf(scope: string, projectKey: string, storeKey: string): string {
  const [name, project, store, ...rest] = scope.split(':');
  return project === projectKey && store === storeKey && rest.length === 0 ? `${name}:${project}` : scope;
}

/**
 * What an in-store answer lacks of the requested capabilities (named as requested) and what it holds
 * beyond them (as granted): both empty when every capability is there, in either form or both. A
 * scope of another Store or project is no form of a requested capability and counts as excess. The
 * identity entries (`customer_id:`, `anonymous_id:`) must already be set apart (parseGrantedScope).
 */
export function inStoreDifference(
  requested: readonly string[],
  granted: readonly string[],
  projectKey: string,
  storeKey: string,
): { missing: string[]; excess: string[] } {
  return scopeDifference(requested, granted, (s) => capabilityOf(s, projectKey, storeKey));
}

/** Which form of a capability an answer carries. */
export type StoreScopeForm = 'plain' | 'store' | 'both' | 'none';

/**
 * For each requested Store-scoped capability (`X:{projectKey}:{storeKey}`), the form the answer
 * carries: `plain` means the token works on every Store's in-store `/me` endpoints, not only this one.
 */
export function storeScopeForms(
  requested: readonly string[],
  granted: readonly string[],
  projectKey: string,
  storeKey: string,
): { scope: string; form: StoreScopeForm }[] {
  const held = new Set(granted);
  return requested
    .filter((s) => s.endsWith(`:${projectKey}:${storeKey}`))
    .map((storeForm) => {
      const plain = capabilityOf(storeForm, projectKey, storeKey);
      const form: StoreScopeForm = held.has(plain)
        ? held.has(storeForm)
          ? 'both'
          : 'plain'
        : held.has(storeForm)
          ? 'store'
          : 'none';
      return { scope: plain, form };
    });
}

/**
 * The shopper scopes commercetools offers per Store (`manage_my_orders:{projectKey}:{storeKey}` and
 * the like): an in-store grant asks these for the shopper's Store, so that, when the API client holds
 * the Store scopes, the token works on that Store's in-store `/me` endpoints and no other Store's.
 */
const STORE_SCOPED_SHOPPER_SCOPES: readonly string[] = Object.freeze([
  'manage_my_orders',
  'manage_my_profile',
  'manage_my_shopping_lists',
]);

/** `scopes` with every plain STORE_SCOPED_SHOPPER_SCOPES scope of the project in its Store form; the rest as they are. */
export function toStoreForms(scopes: readonly string[], projectKey: string, storeKey: string): string[] {
  return scopes.map((scope) => {
    const [name = '', project, store] = scope.split(':');
    return store === undefined && project === projectKey && STORE_SCOPED_SHOPPER_SCOPES.includes(name)
      ? `${name}:${projectKey}:${storeKey}`
      : scope;
  });
}

/**
 * The lists an in-store token's granted scopes may have been stored as, for a fingerprint check: as
 * granted, with every Store form made plain, and in the Store forms the registry asks. A refresh
 * answer may carry another form than the grant did; it is the same capability.
 */
export function inStoreVariants(
  granted: readonly string[],
  projectKey: string,
  storeKey: string,
): readonly (readonly string[])[] {
  const plain = granted.map((s) => capabilityOf(s, projectKey, storeKey));
  return [granted, plain, toStoreForms(plain, projectKey, storeKey)];
}
