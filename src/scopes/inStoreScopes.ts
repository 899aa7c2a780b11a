import { scopeDifference } from './scopeDifference';

/**
 * In-store grants, checked per capability: the in-store `/me` endpoints accept the plain scope or the
 * Store one, and an API client holding the plain scopes gets plain ones back even when the Store ones were
 * asked (commercetools-platform-2026.md). So capability X for Store S holds when `X:{projectKey}` or
 * `X:{projectKey}:{S}` (or both) was granted.
 */

/** `X:{projectKey}` for `X:{projectKey}` and `X:{projectKey}:{storeKey}`; any other scope as it is. */
function capabilityOf(scope: string, projectKey: string, storeKey: string): string {
  const [name, project, store, ...rest] = scope.split(':');
  return project === projectKey && store === storeKey && rest.length === 0 ? `${name}:${project}` : scope;
}

/**
 * What an in-store answer (identity set apart) lacks of the requested capabilities and holds beyond them;
 * a scope of another Store or project is excess.
 */
export function inStoreDifference(
  requested: readonly string[],
  granted: readonly string[],
  projectKey: string,
  storeKey: string,
): { missing: string[]; excess: string[] } {
  return scopeDifference(requested, granted, (s) => capabilityOf(s, projectKey, storeKey));
}

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

/** The shopper scopes commercetools offers per Store: asked in Store form, the token works on no other Store. */
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
 * The lists an in-store token's scopes may have been stored as (a refresh may answer another form than
 * the grant): as granted, all plain, and in the Store forms the registry asks.
 */
export function inStoreVariants(
  granted: readonly string[],
  projectKey: string,
  storeKey: string,
): readonly (readonly string[])[] {
  const plain = granted.map((s) => capabilityOf(s, projectKey, storeKey));
  return [granted, plain, toStoreForms(plain, projectKey, storeKey)];
}
