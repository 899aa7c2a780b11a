import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { sameStoredToken } from '../../../src/session/SessionStorage';

const token = (access: string, refresh = 'p:refresh-1'): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: access,
  refreshToken: refresh,
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: [],
  anonymousId: 'a1',
});

describe(sameStoredToken, () => {
  it('should match two absent tokens, and never an absent one with a present one', () => {
    expect(sameStoredToken(undefined, undefined)).toBe(true);
    expect(sameStoredToken(token('a1'), undefined)).toBe(false);
    expect(sameStoredToken(undefined, token('a1'))).toBe(false);
  });

  it('should match the same pair (as copies) and nothing that differs in either token', () => {
    expect(sameStoredToken(token('a1'), { ...token('a1'), expiresAt: 9_999_000 })).toBe(true);
    expect(sameStoredToken(token('a1'), token('a2'))).toBe(false);
    expect(sameStoredToken(token('a1'), token('a1', 'p:refresh-2'))).toBe(false);
  });
});
