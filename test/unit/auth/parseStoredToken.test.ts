import { describe, expect, it } from 'vitest';
import { isCtpAuthToken, isSharedToken, parseStoredToken, type CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { MAX_TOKEN_LENGTH } from '../../../src/auth/tokenSyntax';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpSessionError } from '../../../src/errors/CtpSessionError';

const NOW = Date.UTC(2026, 10, 22);
const valid: CtpAuthToken = {
  kind: 'customer',
  accessToken: 'vkFuQ6oTwj8_Ye4eiRSsqMeqLYNeQRJi',
  refreshToken: 'my-project:OWStLG0eaeVs7Yx3-Z4H8TSq0nGrI3S7oqW9bX1lFAs',
  issuedAt: NOW,
  expiresAt: NOW + 48 * 3_600_000,
  scopes: ['manage_my_profile:my-project'],
  customerId: 'c0ffee-1',
};

function failure(value: unknown): CtpSessionError {
  try {
    parseStoredToken(value);
  } catch (error) {
    return error as CtpSessionError;
  }
  throw new Error('expected a failure');
}

describe(parseStoredToken, () => {
  describe('when nothing is stored', () => {
    it.each([undefined, null])('should return undefined for %s', (value) => {
      expect(parseStoredToken(value)).toBeUndefined();
    });
  });

  describe('when the value is a valid token', () => {
    it('should return it, an anonymous one and a JSON round-trip included', () => {
      expect(parseStoredToken(valid)).toBe(valid);
      expect(parseStoredToken(JSON.parse(JSON.stringify(valid)))).toEqual(valid);
      const anonymous = { ...valid, kind: 'anonymous', anonymousId: 'a-1', customerId: undefined };
      expect(parseStoredToken(anonymous)).toBe(anonymous);
    });
  });

  describe('when the value is garbage', () => {
    it.each<[string, unknown, string]>([
      ['a string', 'Bearer x', 'value'],
      ['an array', [valid], 'value'],
      ['an unknown kind', { ...valid, kind: 'admin' }, 'kind'],
      ['no access token', { ...valid, accessToken: undefined }, 'accessToken'],
      ['an empty access token', { ...valid, accessToken: '' }, 'accessToken'],
      ['an access token with CR/LF', { ...valid, accessToken: 'abc\r\nX-Injected: 1' }, 'accessToken'],
      ['an access token with a space', { ...valid, accessToken: 'abc def' }, 'accessToken'],
      ['an access token too long', { ...valid, accessToken: 'a'.repeat(MAX_TOKEN_LENGTH + 1) }, 'accessToken'],
      ['a refresh token with LF', { ...valid, refreshToken: 'p:abc\n' }, 'refreshToken'],
      ['a numeric refresh token', { ...valid, refreshToken: 12 }, 'refreshToken'],
      ['an issuedAt that is a string', { ...valid, issuedAt: String(NOW) }, 'issuedAt'],
      ['a NaN issuedAt', { ...valid, issuedAt: Number.NaN }, 'issuedAt'],
      ['a negative issuedAt', { ...valid, issuedAt: -5 }, 'issuedAt'],
      ['an infinite expiresAt', { ...valid, expiresAt: Number.POSITIVE_INFINITY }, 'expiresAt'],
      ['an expiresAt before issuedAt', { ...valid, expiresAt: NOW - 1 }, 'expiresAt'],
      ['a lifetime over a year', { ...valid, expiresAt: NOW + 366 * 24 * 3_600_000 }, 'expiresAt'],
      ['scopes that are not strings', { ...valid, scopes: [1] }, 'scopes'],
      ['no scopes', { ...valid, scopes: undefined }, 'scopes'],
      ['a numeric customerId', { ...valid, customerId: 5 }, 'customerId'],
      ['a customer token without customerId', { ...valid, customerId: undefined }, 'customerId'],
      ['an anonymous token without anonymousId', { ...valid, kind: 'anonymous', customerId: undefined }, 'anonymousId'],
    ])('should throw CTP_STORED_TOKEN_INVALID for %s, naming the field and not the value', (_name, value, field) => {
      const error = failure(value);
      expect(error).toBeInstanceOf(CtpSessionError);
      expect(error.code).toBe(CtpErrorCode.StoredTokenInvalid);
      expect(error.field).toBe(field);
      expect(error.message).not.toContain(valid.accessToken);
      expect(JSON.stringify(error)).not.toContain(valid.refreshToken);
      expect(isCtpAuthToken(value)).toBe(false);
    });
  });
});

describe(isSharedToken, () => {
  const shared = { accessToken: 'abc-123', issuedAt: NOW, expiresAt: NOW + 3_600_000, scopes: ['view_products:p'] };
  it('should accept a shared token and a JSON round-trip of it', () => {
    expect(isSharedToken(shared)).toBe(true);
    expect(isSharedToken(JSON.parse(JSON.stringify(shared)))).toBe(true);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an access token with CR/LF', { ...shared, accessToken: 'a\r\nb' }],
    ['a 5 MB access token', { ...shared, accessToken: 'a'.repeat(5 * 1024 * 1024) }],
    [
      'an expiresAt of Infinity (JSON null)',
      JSON.parse(JSON.stringify({ ...shared, expiresAt: Number.POSITIVE_INFINITY })),
    ],
    ['a lifetime over a year', { ...shared, expiresAt: NOW + 400 * 24 * 3_600_000 }],
    ['scopes with a space', { ...shared, scopes: ['a b'] }],
  ])('should refuse %s', (_name, value) => {
    expect(isSharedToken(value)).toBe(false);
  });
});
