import { describe, expect, it } from 'vitest';
import {
  isCtpAuthToken,
  isSharedToken,
  parseStoredToken,
  type CtpAuthToken,
  type SharedToken,
} from '../../../src/auth/CtpAuthToken';
import { MAX_EXPIRES_IN_SECONDS } from '../../../src/auth/tokenSyntax';

// The exact bounds a token read back from a store must keep (src/auth/CtpAuthToken.ts): the largest
// Date (8.64e15 ms), a lifetime of at most a year, 100 scopes, ids and scopes of 256 characters.
const MAX_EPOCH_MS = 8.64e15;
const YEAR_MS = MAX_EXPIRES_IN_SECONDS * 1000;

const session: CtpAuthToken = {
  kind: 'customer',
  accessToken: 'access-1',
  refreshToken: 'p:refresh-1',
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  customerId: 'c1',
};
const shared: SharedToken = {
  accessToken: 'access-1',
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['view_products:p'],
};

/** What parseStoredToken names as the bad field, or 'ok'. */
function problem(value: unknown): string {
  try {
    parseStoredToken(value);
    return 'ok';
  } catch (error) {
    return (error as { field: string }).field;
  }
}

describe('stored token bounds', () => {
  describe('a session token (parseStoredToken, isCtpAuthToken)', () => {
    it.each([
      ['issuedAt 0', { issuedAt: 0, expiresAt: 3_600_000 }, 'ok'],
      ['issuedAt below 0', { issuedAt: -1, expiresAt: 3_600_000 }, 'issuedAt'],
      ['issuedAt at the largest Date', { issuedAt: MAX_EPOCH_MS, expiresAt: MAX_EPOCH_MS + 1 }, 'ok'],
      ['issuedAt past the largest Date', { issuedAt: MAX_EPOCH_MS + 1, expiresAt: MAX_EPOCH_MS + 2 }, 'issuedAt'],
      ['expiresAt one ms after issuedAt', { expiresAt: 1_001 }, 'ok'],
      ['expiresAt equal to issuedAt', { expiresAt: 1_000 }, 'expiresAt'],
      ['a lifetime of exactly a year', { expiresAt: 1_000 + YEAR_MS }, 'ok'],
      ['a lifetime over a year', { expiresAt: 1_000 + YEAR_MS + 1 }, 'expiresAt'],
      ['expiresAt Infinity', { expiresAt: Number.POSITIVE_INFINITY }, 'expiresAt'],
      ['expiresAt NaN (every comparison with it is false)', { expiresAt: Number.NaN }, 'expiresAt'],
      ['issuedAt NaN', { issuedAt: Number.NaN }, 'issuedAt'],
      ['expiresAt as a string', { expiresAt: '3601000' }, 'expiresAt'],
      ['100 scopes', { scopes: Array.from({ length: 100 }, (_, i) => `s${i}`) }, 'ok'],
      ['101 scopes', { scopes: Array.from({ length: 101 }, (_, i) => `s${i}`) }, 'scopes'],
      ['one bad scope among good ones', { scopes: ['manage_my_orders:p', ''] }, 'scopes'],
      ['a numeric scope', { scopes: [7] }, 'scopes'],
      ['a null scope', { scopes: [null] }, 'scopes'],
      ['a scope with a space', { scopes: ['a b'] }, 'scopes'],
      ['a scope of 256 characters', { scopes: ['s'.repeat(256)] }, 'ok'],
      ['a scope of 257 characters', { scopes: ['s'.repeat(257)] }, 'scopes'],
      ['a customerId of 256 characters', { customerId: 'c'.repeat(256) }, 'ok'],
      ['a customerId of 257 characters', { customerId: 'c'.repeat(257) }, 'customerId'],
      ['an empty customerId', { customerId: '' }, 'customerId'],
      ['a numeric customerId', { customerId: 7 }, 'customerId'],
      ['a storeKey with a space', { storeKey: 'e u' }, 'storeKey'],
    ])('should judge %s', (_name, change, expected) => {
      const value = { ...session, ...change };
      expect(problem(value)).toBe(expected);
      expect(isCtpAuthToken(value)).toBe(expected === 'ok');
    });

    it.each([
      ['an array', [session]],
      ['a string', 'token'],
      ['a number', 42],
    ])('should refuse %s as a whole', (_name, value) => {
      expect(problem(value)).toBe('value');
      expect(isCtpAuthToken(value)).toBe(false);
    });

    it('should read null and undefined as no token, and accept a valid one as it is', () => {
      expect(parseStoredToken(null)).toBeUndefined();
      expect(parseStoredToken(undefined)).toBeUndefined();
      expect(parseStoredToken(session)).toBe(session);
      expect(isCtpAuthToken(session)).toBe(true);
      // What a Redis value of `null` parses to: refused, not a TypeError.
      expect(isCtpAuthToken(null)).toBe(false);
    });
  });

  describe('a shared token (isSharedToken)', () => {
    it.each([
      ['a valid one', {}, true],
      ['issuedAt 0', { issuedAt: 0, expiresAt: 3_600_000 }, true],
      ['issuedAt below 0', { issuedAt: -1, expiresAt: 3_600_000 }, false],
      ['issuedAt as a string', { issuedAt: '1000' }, false],
      ['issuedAt at the largest Date', { issuedAt: MAX_EPOCH_MS, expiresAt: MAX_EPOCH_MS + 1 }, true],
      ['issuedAt past the largest Date', { issuedAt: MAX_EPOCH_MS + 1, expiresAt: MAX_EPOCH_MS + 2 }, false],
      ['expiresAt equal to issuedAt', { expiresAt: 1_000 }, false],
      ['expiresAt as a string', { expiresAt: '3601000' }, false],
      ['a lifetime of exactly a year', { expiresAt: 1_000 + YEAR_MS }, true],
      ['a lifetime over a year', { expiresAt: 1_000 + YEAR_MS + 1 }, false],
      ['100 scopes', { scopes: Array.from({ length: 100 }, (_, i) => `s${i}`) }, true],
      ['101 scopes', { scopes: Array.from({ length: 101 }, (_, i) => `s${i}`) }, false],
      ['one bad scope among good ones', { scopes: ['view_products:p', ''] }, false],
      ['a numeric scope', { scopes: [7] }, false],
      ['a null scope', { scopes: [null] }, false],
      ['a scope of 256 characters', { scopes: ['s'.repeat(256)] }, true],
      ['a scope of 257 characters', { scopes: ['s'.repeat(257)] }, false],
      ['an access token with CR/LF', { accessToken: 'a\r\nb' }, false],
    ])('should judge %s', (_name, change, expected) => {
      expect(isSharedToken({ ...shared, ...change })).toBe(expected);
    });

    it.each([
      ['null', null],
      ['an array', [shared]],
      ['a string', 'token'],
    ])('should refuse %s', (_name, value) => {
      expect(isSharedToken(value)).toBe(false);
    });
  });
});
