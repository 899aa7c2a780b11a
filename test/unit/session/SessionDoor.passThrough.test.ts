import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpRedisError } from '../../../src/errors/CtpRedisError';
import { SessionDoor } from '../../../src/session/SessionDoor';
import type { SessionStorage } from '../../../src/session/SessionStorage';

// Two rules of the door the mutation run of 2026-12-07 found untested: a storage's own typed error
// reaches the caller as it is, and the cache answer of update() (`settled`) is asked only of a
// storage that has a cache (getStored), never of a plain one, whose read is the section's read.

const token = (n: number): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: `access-${n}`,
  refreshToken: 'refresh-1',
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  anonymousId: 'anon-1',
});

describe(SessionDoor, () => {
  it("should pass a storage's typed error (RedisSessionStorage's CTP_REDIS_UNAVAILABLE) through, not wrap it", async () => {
    const down = new CtpRedisError(CtpErrorCode.RedisUnavailable, 'Redis did not answer.');
    const storage: SessionStorage = {
      get: async () => {
        throw down;
      },
      set: async () => undefined,
      clear: async () => undefined,
    };
    await expect(new SessionDoor(1_000).read(storage)).rejects.toBe(down);
  });

  it('should decide on one read of a storage without a cache, never asking the cache answer', async () => {
    let reads = 0;
    let stored: CtpAuthToken | undefined = token(1);
    const storage: SessionStorage = {
      get: async () => {
        reads += 1;
        return stored;
      },
      set: async (next) => void (stored = next),
      clear: async () => void (stored = undefined),
    };
    const asked: (CtpAuthToken | undefined)[] = [];
    const result = await new SessionDoor(1_000).update(
      storage,
      (current) => ({ result: current?.accessToken, next: token(2) }),
      (cached) => {
        asked.push(cached);
        return cached?.accessToken;
      },
    );
    expect(result).toBe('access-1');
    expect(stored?.accessToken).toBe('access-2');
    expect(asked).toEqual([]);
    expect(reads).toBe(1);
  });
});
