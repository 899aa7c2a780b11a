/**
 * Sets `key` as the newest entry of `map` and drops the oldest ones beyond `max`: a Map iterates in
 * insertion order, so the first key is the one set longest ago. The bound on every in-process cache
 * the library keeps (request builders, recent refreshes, Checkout sessions, introspection answers).
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value!);
}
