import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { startWorker, type Worker } from '../../support/fleet/startWorker';
import { startRedis, type RedisProcess } from '../../support/redis/startRedis';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';
import { putToken, storedToken } from '../../support/session/storedToken';

// Four app instances as child processes, one strict commercetools, one real Redis.
let redisServer: RedisProcess;
let redis: Redis;
let server: StrictCommercetools;
const workers: Worker[] = [];
const CUSTOMER = { email: 'erin@example.com', password: 'Erin-Pa55word!' };

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url, { commandTimeout: 2_000, maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await redis.quit();
  await redisServer.stop();
});

afterEach(async () => {
  for (const w of workers.splice(0)) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await server?.stop();
  await redis.flushall();
});

async function startServer() {
  server = await new StrictCommercetools().start();
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
  server.addCustomer(CUSTOMER.email, CUSTOMER.password);
}

function fleetEnv(extra: Record<string, string>) {
  return {
    FLEET_URL: server.url,
    FLEET_PROJECT: server.projectKey,
    FLEET_CLIENT_ID: STRICT_CLIENT.id,
    FLEET_CLIENT_SECRET: STRICT_CLIENT.secret,
    FLEET_REDIS_URL: redisServer.url,
    ...extra,
  };
}

function spawnWorkers(n: number, env: Record<string, string>): Worker[] {
  const started = Array.from({ length: n }, () => startWorker(fleetEnv(env)));
  workers.push(...started);
  return started;
}

/** Signs a customer in, in-process, and leaves the session in Redis already inside its renewal margin. */
async function expiredSessionInRedis(sessionId: string): Promise<CtpAuthToken> {
  const services = createCtpServices(
    createCtpConfig({
      projectKey: server.projectKey,
      clientId: STRICT_CLIENT.id,
      clientSecret: STRICT_CLIENT.secret,
      authUrl: server.url,
      apiUrl: server.url,
    }),
    { redis: { client: redis } },
  );
  const storage = new RedisSessionStorage(redis, sessionId);
  const token = await runWithCtpSession(storage, () => services.session.login(CUSTOMER.email, CUSTOMER.password));
  const expired = { ...token, issuedAt: Date.now() - 2 * 3_600_000, expiresAt: Date.now() - 1_000 };
  await putToken(storage, expired);
  return expired;
}

describe('several instances sharing Redis', () => {
  it('should refresh an expired session exactly once for 4 processes x 50 concurrent calls', async () => {
    await startServer();
    const before = await expiredSessionInRedis('sess-1');
    const fleet = spawnWorkers(4, { FLEET_TASK: 'refresh', FLEET_SESSION_ID: 'sess-1', FLEET_CONCURRENCY: '50' });
    await Promise.all(fleet.map((w) => w.ready));
    fleet.forEach((w) => w.go());
    const results = await Promise.all(fleet.map((w) => w.result));
    expect(results.map((r) => [r.ok, r.errors])).toEqual(Array.from({ length: 4 }, () => [50, []]));
    expect(server.grants.refresh_token).toBe(1);
    const calls = server.apiCalls.filter((c) => c.path === '/me');
    expect(calls).toHaveLength(200);
    expect(calls.every((c) => c.status === 200 && c.kind === 'customer')).toBe(true);
    const after = (await storedToken(new RedisSessionStorage(redis, 'sess-1')))!;
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
  }, 60_000);

  it('should grant the integration and the guest token once for 4 processes starting cold', async () => {
    await startServer();
    const fleet = spawnWorkers(4, { FLEET_TASK: 'cold', FLEET_CONCURRENCY: '10' });
    await Promise.all(fleet.map((w) => w.ready));
    fleet.forEach((w) => w.go());
    const results = await Promise.all(fleet.map((w) => w.result));
    expect(results.map((r) => r.errors)).toEqual([[], [], [], []]);
    expect(server.grants.client_credentials).toBe(1);
    expect(server.grants.anonymous).toBe(1);
  }, 60_000);

  it("should let another instance finish the refresh after the killed holder's lock expires", async () => {
    await startServer();
    await expiredSessionInRedis('sess-2');
    const lockTtl = 1_000;
    const [holder, other] = spawnWorkers(2, {
      FLEET_TASK: 'refresh',
      FLEET_SESSION_ID: 'sess-2',
      FLEET_CONCURRENCY: '5',
      FLEET_LOCK_TTL_MS: String(lockTtl),
    });
    await Promise.all([holder!.ready, other!.ready]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      server.authFaults.push({ kind: 'slow', release: new Promise<void>((r) => (release = r)), onHold: resolve });
    });
    holder!.go();
    await held; // the holder's refresh is at the auth server, lock taken
    holder!.child.kill('SIGKILL');
    other!.go();
    const result = await other!.result;
    release();
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(5);
    // It waited for the lock to expire, and not much longer.
    expect(result.ms).toBeLessThan(lockTtl + 3_000);
    expect(server.refreshesBySession.size).toBe(1);
  }, 60_000);
});
