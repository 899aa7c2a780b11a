import { describe, expect, it } from 'vitest';
import { DEFAULT_SCOPE_SETS } from '../../../src/scopes/defaultScopeSets';
import { LEGACY_SERVER_V3_CUSTOMER_SCOPES } from './legacyServerV3CustomerScopes';
import { KNOWN_SCOPE_NAMES, scopeNameProblem, scopeSetProblems } from '../../../src/scopes/knownScopes';
import { scopeName } from '../../../src/scopes/scopeString';

describe('KNOWN_SCOPE_NAMES', () => {
  it('should hold every scope the library itself names', () => {
    const ours = [...Object.values(DEFAULT_SCOPE_SETS).flat(), ...LEGACY_SERVER_V3_CUSTOMER_SCOPES].map(scopeName);
    expect(ours.filter((name) => !KNOWN_SCOPE_NAMES.has(name))).toEqual([]);
  });

  it('should hold only well-formed names', () => {
    expect([...KNOWN_SCOPE_NAMES].filter((name) => !/^(view|manage|create|introspect)_[a-z_]+$/.test(name))).toEqual(
      [],
    );
  });
});

describe(scopeNameProblem, () => {
  it('should accept a known scope', () => {
    expect(scopeNameProblem('manage_my_orders')).toBeUndefined();
  });

  it('should name the closest known scope for a typo', () => {
    expect(scopeNameProblem('veiw_categories')).toBe(
      '"veiw_categories" is not a commercetools scope: did you mean view_categories?',
    );
    expect(scopeNameProblem('view_published_product')).toBe(
      '"view_published_product" is not a commercetools scope: did you mean view_published_products?',
    );
    expect(scopeNameProblem('MANAGE_MY_ORDERS')).toBe(
      '"MANAGE_MY_ORDERS" is not a commercetools scope: did you mean manage_my_orders?',
    );
  });

  it('should point to the scope list when nothing is close', () => {
    expect(scopeNameProblem('read_everything')).toBe(
      '"read_everything" is not a commercetools scope (see docs.commercetools.com/api/scopes)',
    );
  });

  it('should refuse manage_project, saying it defeats least privilege', () => {
    expect(scopeNameProblem('manage_project')).toMatch(
      /^manage_project is refused: .*cannot ask for fewer, so no token would be least-privilege/,
    );
  });
});

describe(scopeSetProblems, () => {
  it('should label each problem and check Store-scoped entries by their name', () => {
    expect(
      scopeSetProblems('scopes.customer', ['manage_my_orders', { name: 'manage_my_profle', storeKey: 'eu' }, 42]),
    ).toEqual([
      'scopes.customer: "manage_my_profle" is not a commercetools scope: did you mean manage_my_profile?',
      'scopes.customer holds an entry that is neither a scope name nor { name, storeKey }',
    ]);
  });
});
