import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession } from '../../../src/auth/StoredSession';
import { sameStoredSession } from '../../../src/session/SessionStorage';

const token = (access: string, refresh = 'p:refresh-1'): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: access,
  refreshToken: refresh,
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['s1'],
  anonymousId: 'a1',
});
const stored = (access: string, refresh?: string) => toStoredSession(token(access, refresh));

describe(sameStoredSession, () => {
  it('should match nothing stored (or no session) with undefined, and never a stored pair with undefined', () => {
    expect(sameStoredSession(undefined, undefined)).toBe(true);
    expect(sameStoredSession({ hand: 'edit' }, undefined)).toBe(true);
    expect(sameStoredSession(stored('a1'), undefined)).toBe(false);
    expect(sameStoredSession(undefined, stored('a1'))).toBe(false);
  });

  it('should match the same pair (as copies) and nothing that differs in either token', () => {
    expect(sameStoredSession(stored('a1'), { ...stored('a1'), e: 9_999_000 })).toBe(true);
    expect(sameStoredSession(stored('a1'), stored('a2'))).toBe(false);
    expect(sameStoredSession(stored('a1'), stored('a1', 'p:refresh-2'))).toBe(false);
  });

  it('should read the pair of a full token of earlier versions, as the Redis script does', () => {
    expect(sameStoredSession(token('a1'), stored('a1'))).toBe(true);
    expect(sameStoredSession(token('a1'), stored('a2'))).toBe(false);
    expect(sameStoredSession(token('a1'), stored('a1', 'p:refresh-2'))).toBe(false);
  });
});
