import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { startWorker, type Worker } from '../../support/fleet/startWorker';
import { commandStats, resetCommandStats } from '../../support/redis/commandStats';
import { startRedis, type RedisProcess } from '../../support/redis/startRedis';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';
import { putToken } from '../../support/session/storedToken';

// The refresh wave of redisHotPath.test.ts, with app instances as separate processes.
let redisServer: RedisProcess;
let admin: Redis;
let server: StrictCommercetools;
const workers: Worker[] = [];
const CUSTOMER = { email: 'wave@example.com', password: 'Wave-Pa55word!' };

beforeAll(async () => {
  redisServer = await startRedis();
  admin = new Redis(redisServer.url);
  server = await new StrictCommercetools().start();
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
  server.addCustomer(CUSTOMER.email, CUSTOMER.password);
});

afterAll(async () => {
  for (const w of workers.splice(0)) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await admin.quit();
  await server.stop();
  await redisServer.stop();
});

describe('a refresh wave across processes', () => {
  it('should cost one refresh grant and a number of Redis commands per process that does not grow with its concurrent calls', async () => {
    const config = createCtpConfig({
      projectKey: server.projectKey,
      clientId: STRICT_CLIENT.id,
      clientSecret: STRICT_CLIENT.secret,
      authUrl: server.url,
      apiUrl: server.url,
    });
    const services = createCtpServices(config);
    const token = await runWithCtpSession(new RedisSessionStorage(admin, 'procs', { cache: false }), () =>
      services.session.login(CUSTOMER.email, CUSTOMER.password),
    );
    await services.close();
    await putToken(new RedisSessionStorage(admin, 'procs', { cache: false }), {
      ...token,
      issuedAt: Date.now() - 7_200_000,
      expiresAt: Date.now() - 1_000,
    });
    const processes = 4;
    const calls = 50;
    const env = {
      FLEET_URL: server.url,
      FLEET_PROJECT: server.projectKey,
      FLEET_CLIENT_ID: STRICT_CLIENT.id,
      FLEET_CLIENT_SECRET: STRICT_CLIENT.secret,
      FLEET_REDIS_URL: redisServer.url,
      FLEET_TASK: 'refresh',
      FLEET_SESSION_ID: 'procs',
      FLEET_CONCURRENCY: String(calls),
      FLEET_POLL_MS: '1000',
    };
    const fleet = Array.from({ length: processes }, () => startWorker(env));
    workers.push(...fleet);
    await Promise.all(fleet.map((w) => w.ready));
    await resetCommandStats(admin);
    const refreshesBefore = server.grants.refresh_token;
    fleet.forEach((w) => w.go());
    const results = await Promise.all(fleet.map((w) => w.result));
    const stats = await commandStats(admin);
    expect(results.map((r) => [r.ok, r.errors])).toEqual(Array.from({ length: processes }, () => [calls, []]));
    expect(server.grants.refresh_token - refreshesBefore).toBe(1);
    // Each of the 50 calls per process reads the session (hot path) and after the refresh once more
    // (the worker's own check); without the cache and the shared reads that was > 100 GETs per process.
    // Measured ~15 per process (scripts' inner commands included): these processes start cold, so
    // their subscriptions (one or two SUBSCRIBE each) are made during the wave and their first reads
    // cannot fill the cache yet. The bound stays well under one command per call.
    const counted = stats.total - (stats.byCommand['quit'] ?? 0); // a worker closing its client after its report
    expect(counted / processes).toBeLessThanOrEqual(24);
  }, 90_000);
});
