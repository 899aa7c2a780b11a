/**
 * What `granted` lacks of `expected`, and what it holds beyond it; both empty when they match.
 * `capability` says which scopes count as the same (by default, equal strings); each side is
 * reported in its own words.
 */
export function scopeDifference(
  expected: readonly string[],
  granted: readonly string[],
  capability: (scope: string) => string = (scope) => scope,
): { missing: string[]; excess: string[] } {
  const wanted = new Set(expected.map(capability));
  const held = new Set(granted.map(capability));
  return {
    missing: expected.filter((s) => !held.has(capability(s))),
    excess: granted.filter((s) => !wanted.has(capability(s))),
  };
}
