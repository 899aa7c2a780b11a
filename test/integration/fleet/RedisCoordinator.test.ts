import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharedToken } from '../../../src/auth/CtpAuthToken';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { RedisCoordinator } from '../../../src/fleet/RedisCoordinator';
import { CapturingLogger } from '../../support/createTestServices';
import { startRedis, type RedisProcess } from '../../support/redis/startRedis';

let redisServer: RedisProcess;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});

afterAll(async () => {
  await redis.quit();
  await redisServer.stop();
});

const token = (name: string): SharedToken => ({ accessToken: name, issuedAt: Date.now(), expiresAt: Date.now() + 3_600_000, scopes: [] });

function coordinator(prefix: string, logger = new CapturingLogger(), lockTtlMs = 150, lockWaitMs = 2_000) {
  return new RedisCoordinator({ redis, keyPrefix: prefix, lockTtlMs, lockWaitMs, pollMs: 10, clock: { now: () => Date.now() }, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), logger });
}

describe(RedisCoordinator, () => {
  it('should not let a holder whose lock expired overwrite the token of the holder after it (fencing)', async () => {
    const logger = new CapturingLogger();
    const slow = coordinator('fence:', logger);
    const fast = coordinator('fence:');
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((r) => (releaseSlow = r));
    const first = slow.shared('integration', async () => {
      await slowGate;
      return token('late-token');
    }, () => true);
    // The slow holder's lock (150 ms) expires; the next instance takes it and publishes first.
    const second = await fast.shared('integration', async () => token('newer-token'), () => true);
    expect(second.accessToken).toBe('newer-token');
    releaseSlow();
    expect((await first).accessToken).toBe('late-token');
    expect(logger.events('ctp.fleet.fenced')).toHaveLength(1);
    // What the fleet reads is still the newer token.
    const read = await coordinator('fence:').shared('integration', async () => token('should-not-grant'), () => true);
    expect(read.accessToken).toBe('newer-token');
  });

  it('should reuse a published token instead of granting again', async () => {
    let grants = 0;
    const a = coordinator('reuse:');
    const b = coordinator('reuse:');
    const results = await Promise.all([a, b, a, b].map((c) => c.shared('guest', async () => token(`g${++grants}`), () => true)));
    expect(grants).toBe(1);
    expect(new Set(results.map((t) => t.accessToken)).size).toBe(1);
  });

  it('should give up with CTP_FLEET_LOCK_TIMEOUT when the lock is held longer than lockWaitMs', async () => {
    const holder = coordinator('timeout:', new CapturingLogger(), 5_000, 5_000);
    let release!: () => void;
    const held = holder.shared('guest', () => new Promise<SharedToken>((r) => (release = () => r(token('x')))), () => true);
    await new Promise((r) => setTimeout(r, 20));
    await expect(coordinator('timeout:', new CapturingLogger(), 5_000, 100).shared('guest', async () => token('y'), () => true)).rejects.toMatchObject({ code: CtpErrorCode.FleetLockTimeout });
    release();
    await held;
  });
});
