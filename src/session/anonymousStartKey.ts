import type { SessionStorage } from './SessionStorage';

/** Per storage object without an id: one key object per Store, so the key stays the object's identity. */
const byStorage = new WeakMap<SessionStorage, Map<string, object>>();

/**
 * The single-flight key of an anonymous start: the session (its id, else its storage object) AND the
 * Store it starts in. Starts of one session in two Stores must not share a grant: the token of one
 * Store's scopes would be handed to a shopper of the other.
 */
export function anonymousStartKey(storage: SessionStorage, storeKey: string | undefined): unknown {
  // JSON of a pair: no id or Store key can make two different pairs render alike.
  if (storage.id !== undefined) return JSON.stringify([storage.id, storeKey ?? null]);
  let keys = byStorage.get(storage);
  if (!keys) byStorage.set(storage, (keys = new Map<string, object>()));
  const store = storeKey ?? '';
  let key = keys.get(store);
  if (!key) keys.set(store, (key = {}));
  return key;
}
