import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession, type StoredSession } from '../../../src/auth/StoredSession';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { storedToken } from '../../support/session/storedToken';

const token: CtpAuthToken = {
  kind: 'anonymous',
  accessToken: 'a1',
  refreshToken: 'p:r1',
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['s1'],
  anonymousId: 'x',
};
const stored = toStoredSession(token);

describe(MemorySessionStorage, () => {
  it('should keep a frozen copy of the stored form it is given, and nothing after a compare-and-set to undefined', async () => {
    const storage = new MemorySessionStorage('s');
    const mine = { ...stored, s: ['s1'] } as { -readonly [K in keyof StoredSession]: StoredSession[K] } & {
      s: string[];
    };
    expect(await storage.compareAndSet(undefined, mine)).toBe(true);
    mine.a = 'changed';
    mine.s.push('s2');
    const held = await storage.get();
    expect(held).toEqual(stored);
    expect(Object.isFrozen(held)).toBe(true);
    expect(Object.isFrozen(held?.s)).toBe(true);
    expect(await storedToken(storage)).toEqual(token);
    expect(await storage.compareAndSet(stored, undefined)).toBe(true);
    expect(await storage.get()).toBeUndefined();
  });

  it('should compare-and-set only over the same pair, and clear with undefined', async () => {
    const storage = new MemorySessionStorage('s', stored);
    expect(await storage.compareAndSet(undefined, stored)).toBe(false);
    expect(await storage.compareAndSet({ ...stored, a: 'other' }, undefined)).toBe(false);
    expect(await storage.compareAndSet({ ...stored, r: 'p:other' }, undefined)).toBe(false);
    expect(await storage.get()).toEqual(stored);
    expect(await storage.compareAndSet({ ...stored, e: 9_999_000 }, undefined)).toBe(true);
    expect(await storage.get()).toBeUndefined();
    expect(await storage.compareAndSet(undefined, stored)).toBe(true);
    expect(await storage.get()).toEqual(stored);
    expect(await storage.get()).not.toBe(stored);
  });

  it('should hand back a full token of earlier versions it started with, and compare-and-set over its pair', async () => {
    const storage = new MemorySessionStorage('s', token);
    expect(await storedToken(storage)).toEqual(token);
    expect(await storage.compareAndSet({ ...stored, a: 'other' }, undefined)).toBe(false);
    expect(await storage.compareAndSet(stored, { ...stored, a: 'a2' })).toBe(true);
    expect((await storedToken(storage))?.accessToken).toBe('a2');
  });
});
