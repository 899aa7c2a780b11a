import { describe, expect, it } from 'vitest';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpRedisError } from '../../../src/errors/CtpRedisError';
import { SessionDoor } from '../../../src/session/SessionDoor';
import type { SessionStorage } from '../../../src/session/SessionStorage';

// A rule of the door the mutation run of 2026-12-07 found untested: a storage's own typed error
// reaches the caller as it is. (Its second finding, one read of a storage without a cache, no longer
// holds: with the { get, compareAndSet } contract the door asks every storage's cached answer first.)

describe(SessionDoor, () => {
  it("should pass a storage's typed error (RedisSessionStorage's CTP_REDIS_UNAVAILABLE) through, not wrap it", async () => {
    const down = new CtpRedisError(CtpErrorCode.RedisUnavailable, 'Redis did not answer.');
    const storage: SessionStorage = {
      get: async () => {
        throw down;
      },
      compareAndSet: async () => false,
    };
    await expect(new SessionDoor(1_000).read(storage)).rejects.toBe(down);
  });
});
