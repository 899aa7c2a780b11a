import { describe, expect, it } from 'vitest';
import {
  isAccessTokenSyntax,
  isRefreshTokenSyntax,
  isSaneExpiresIn,
  MAX_EXPIRES_IN_SECONDS,
  MAX_TOKEN_LENGTH,
} from '../../../src/auth/tokenSyntax';

describe('tokenSyntax', () => {
  describe(isAccessTokenSyntax, () => {
    it('should accept an RFC 6750 b64token up to the length cap', () => {
      expect(isAccessTokenSyntax('aB9-._~+/==')).toBe(true);
      expect(isAccessTokenSyntax('a'.repeat(MAX_TOKEN_LENGTH))).toBe(true);
    });

    it.each([
      ['null', null],
      ['undefined', undefined],
      ['a number', 42],
      ['an empty string', ''],
      ['a token over the cap', 'a'.repeat(MAX_TOKEN_LENGTH + 1)],
      ['a colon (only refresh tokens have one)', 'p:abc'],
      ['CR/LF', 'abc\r\nX: 1'],
      ['padding in the middle', 'ab=c'],
    ])('should refuse %s', (_name, value) => {
      expect(isAccessTokenSyntax(value)).toBe(false);
    });
  });

  describe(isRefreshTokenSyntax, () => {
    it('should accept a commercetools {projectKey}:{token} refresh token up to the length cap', () => {
      expect(isRefreshTokenSyntax('my-project:OWStLG0eaeVs7Yx3-Z4H8TSq0nGrI3S7oqW9bX1lFAs')).toBe(true);
      expect(isRefreshTokenSyntax('r'.repeat(MAX_TOKEN_LENGTH))).toBe(true);
    });

    it.each([
      // A storage or an answer may hold anything: a non-string is refused, never a TypeError.
      ['null', null],
      ['undefined', undefined],
      ['a number', 7],
      ['an object with a length', { length: 3 }],
      ['an empty string', ''],
      ['a token over the cap', 'r'.repeat(MAX_TOKEN_LENGTH + 1)],
      ['a space', 'p:abc def'],
      ['LF', 'p:abc\n'],
    ])('should refuse %s', (_name, value) => {
      expect(isRefreshTokenSyntax(value)).toBe(false);
    });
  });

  describe(isSaneExpiresIn, () => {
    it('should accept 1 s to one year and nothing outside', () => {
      expect(isSaneExpiresIn(1)).toBe(true);
      expect(isSaneExpiresIn(MAX_EXPIRES_IN_SECONDS)).toBe(true);
      expect(isSaneExpiresIn(0.999)).toBe(false);
      expect(isSaneExpiresIn(MAX_EXPIRES_IN_SECONDS + 1)).toBe(false);
      expect(isSaneExpiresIn(Number.NaN)).toBe(false);
      expect(isSaneExpiresIn(Number.POSITIVE_INFINITY)).toBe(false);
    });
  });
});
