/** What `granted` lacks of `expected` and holds beyond it, `capability` saying which scopes count as the same. */
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
