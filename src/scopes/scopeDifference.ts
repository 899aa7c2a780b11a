/** What `granted` lacks of `expected`, and what it holds beyond it; both empty when they match. */
export function scopeDifference(
  expected: readonly string[],
  granted: readonly string[],
): { missing: string[]; excess: string[] } {
  const expectedSet = new Set(expected);
  const grantedSet = new Set(granted);
  return { missing: expected.filter((s) => !grantedSet.has(s)), excess: granted.filter((s) => !expectedSet.has(s)) };
}
