import { describe, expect, it } from 'vitest';
import { inStoreVariants, toStoreForms } from '../../../src/scopes/inStoreScopes';

// A scope of another project or another Store, or one with more parts than a Store form, is no form of
// this Store's capability: it is never made plain nor turned into this Store's form. Otherwise a token
// stored for Store `eu` would match the fingerprint of one granted for Store `us` or project `other`.

describe(inStoreVariants, () => {
  it("should keep another project's Store form as granted in every variant", () => {
    expect(inStoreVariants(['manage_my_orders:other:eu'], 'shop', 'eu')).toEqual([
      ['manage_my_orders:other:eu'],
      ['manage_my_orders:other:eu'],
      ['manage_my_orders:other:eu'],
    ]);
  });

  it('should keep a scope with parts beyond the Store as granted in every variant', () => {
    expect(inStoreVariants(['manage_my_orders:shop:eu:x'], 'shop', 'eu')).toEqual([
      ['manage_my_orders:shop:eu:x'],
      ['manage_my_orders:shop:eu:x'],
      ['manage_my_orders:shop:eu:x'],
    ]);
  });
});

describe(toStoreForms, () => {
  it("should leave another Store's form as it is, not turn it into this Store's", () => {
    expect(toStoreForms(['manage_my_orders:shop:us', 'manage_my_profile:shop'], 'shop', 'eu')).toEqual([
      'manage_my_orders:shop:us',
      'manage_my_profile:shop:eu',
    ]);
  });
});
