import { describe, expect, it } from 'vitest';
import { inStoreDifference, inStoreVariants, storeScopeForms, toStoreForms } from '../../../src/scopes/inStoreScopes';

const requested = ['view_categories:shop', 'manage_my_orders:shop:eu', 'manage_my_profile:shop:eu'];

describe(inStoreDifference, () => {
  it.each<[string, string[]]>([
    ['the plain forms', ['view_categories:shop', 'manage_my_orders:shop', 'manage_my_profile:shop']],
    ['the Store forms', ['view_categories:shop', 'manage_my_orders:shop:eu', 'manage_my_profile:shop:eu']],
    [
      'both forms',
      [
        'view_categories:shop',
        'manage_my_orders:shop',
        'manage_my_orders:shop:eu',
        'manage_my_profile:shop',
        'manage_my_profile:shop:eu',
      ],
    ],
    ['one of each, in another order', ['manage_my_profile:shop', 'manage_my_orders:shop:eu', 'view_categories:shop']],
  ])('should find nothing wrong with %s', (_name, granted) => {
    expect(inStoreDifference(requested, granted, 'shop', 'eu')).toEqual({ missing: [], excess: [] });
  });

  it('should name a missing capability as it was requested', () => {
    expect(inStoreDifference(requested, ['view_categories:shop', 'manage_my_orders:shop'], 'shop', 'eu')).toEqual({
      missing: ['manage_my_profile:shop:eu'],
      excess: [],
    });
  });

  it("should count another Store's or another project's form as excess, not as the capability", () => {
    expect(
      inStoreDifference(
        requested,
        ['view_categories:shop', 'manage_my_orders:shop:us', 'manage_my_profile:other:eu', 'manage_my_profile:shop'],
        'shop',
        'eu',
      ),
    ).toEqual({
      missing: ['manage_my_orders:shop:eu'],
      excess: ['manage_my_orders:shop:us', 'manage_my_profile:other:eu'],
    });
  });

  it('should count a scope that was not asked in either form as excess', () => {
    expect(inStoreDifference(requested, [...requested, 'manage_orders:shop:eu'], 'shop', 'eu').excess).toEqual([
      'manage_orders:shop:eu',
    ]);
  });
});

describe(storeScopeForms, () => {
  it('should tell plain, Store, both and none apart per capability', () => {
    const asked = [
      'view_categories:shop',
      'manage_my_orders:shop:eu',
      'manage_my_profile:shop:eu',
      'manage_my_shopping_lists:shop:eu',
      'manage_my_payments:shop',
    ];
    expect(
      storeScopeForms(
        asked,
        [
          'manage_my_orders:shop',
          'manage_my_profile:shop:eu',
          'manage_my_shopping_lists:shop',
          'manage_my_shopping_lists:shop:eu',
        ],
        'shop',
        'eu',
      ),
    ).toEqual([
      { scope: 'manage_my_orders:shop', form: 'plain' },
      { scope: 'manage_my_profile:shop', form: 'store' },
      { scope: 'manage_my_shopping_lists:shop', form: 'both' },
    ]);
    expect(storeScopeForms(asked, [], 'shop', 'eu').map((r) => r.form)).toEqual(['none', 'none', 'none']);
  });
});

describe(toStoreForms, () => {
  it('should give the Store form to the shopper scopes that have one, and leave the rest', () => {
    expect(
      toStoreForms(
        ['view_categories:shop', 'manage_my_orders:shop', 'manage_my_payments:shop', 'manage_my_profile:other'],
        'shop',
        'eu',
      ),
    ).toEqual([
      'view_categories:shop',
      'manage_my_orders:shop:eu',
      'manage_my_payments:shop',
      'manage_my_profile:other',
    ]);
  });
});

describe(inStoreVariants, () => {
  it('should give the list as granted, all plain, and in the Store forms asked', () => {
    expect(
      inStoreVariants(['view_categories:shop', 'manage_my_orders:shop:eu', 'manage_my_profile:shop'], 'shop', 'eu'),
    ).toEqual([
      ['view_categories:shop', 'manage_my_orders:shop:eu', 'manage_my_profile:shop'],
      ['view_categories:shop', 'manage_my_orders:shop', 'manage_my_profile:shop'],
      ['view_categories:shop', 'manage_my_orders:shop:eu', 'manage_my_profile:shop:eu'],
    ]);
  });
});
