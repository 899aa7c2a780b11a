import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';

const token: CtpAuthToken = { kind: 'anonymous', accessToken: 'a1', refreshToken: 'p:r1', issuedAt: 1_000, expiresAt: 3_601_000, scopes: ['s1'], anonymousId: 'x' };

describe(MemorySessionStorage, () => {
  it('should keep a frozen copy of what it is given, and nothing after clear()', async () => {
    const storage = new MemorySessionStorage('s');
    const mine = { ...token, scopes: [...token.scopes] };
    await storage.set(mine);
    mine.accessToken = 'changed';
    mine.scopes.push('s2');
    const stored = await storage.get();
    expect(stored).toEqual(token);
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored?.scopes)).toBe(true);
    await storage.clear();
    expect(await storage.get()).toBeUndefined();
  });

  it('should compare-and-set only over the same pair, and clear with undefined', async () => {
    const storage = new MemorySessionStorage('s', token);
    expect(await storage.compareAndSet(undefined, token)).toBe(false);
    expect(await storage.compareAndSet({ ...token, accessToken: 'other' }, undefined)).toBe(false);
    expect(await storage.get()).toEqual(token);
    expect(await storage.compareAndSet({ ...token }, undefined)).toBe(true);
    expect(await storage.get()).toBeUndefined();
    expect(await storage.compareAndSet(undefined, token)).toBe(true);
    const stored = await storage.get();
    expect(stored).toEqual(token);
    expect(stored).not.toBe(token);
    expect(Object.isFrozen(stored)).toBe(true);
  });
});
