import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession } from '../../../src/auth/StoredSession';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { CtpError } from '../../../src/errors/CtpError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import type { CtpModuleOptions } from '../../../src/module/CtpModuleOptions';
import { createCtpServices, type CtpServices } from '../../../src/module/createCtpServices';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { CapturingLogger } from '../../support/createTestServices';
import { startRedisCluster, type ClusterNode, type RedisCluster } from '../../support/redis/startRedisCluster';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { holdingRefreshAnswers } from '../../support/strict/holdingRefreshAnswers';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';
import { putToken, storedToken } from '../../support/session/storedToken';

// One real Redis Cluster (three masters, one replica each) for the whole file: starting one takes seconds.
// Password-protected, as production clusters are: the library's client must hand the password of the
// URLs it was given to the nodes it discovers.
const PASSWORD = 'cluster-Pa55-NOT-IN-LOGS';
let cluster: RedisCluster;
let admin: Cluster;
let server: StrictCommercetools;
const instances: CtpServices[] = [];
const ownClients: Cluster[] = [];
const CUSTOMER = { email: 'erin@example.com', password: 'Erin-Pa55word!' };

beforeAll(async () => {
  cluster = await startRedisCluster({ password: PASSWORD });
  admin = new Cluster(cluster.urls.slice(0, 1), { redisOptions: { commandTimeout: 2_000, password: PASSWORD } });
}, 60_000);

afterAll(async () => {
  admin?.disconnect();
  await cluster?.stop();
});

afterEach(async () => {
  await Promise.all(instances.splice(0).map((s) => s.close()));
  for (const c of ownClients.splice(0)) c.disconnect();
  await server?.stop();
});

async function startServer() {
  server = await new StrictCommercetools().start();
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
  return server.addCustomer(CUSTOMER.email, CUSTOMER.password);
}

const config = () =>
  createCtpConfig({
    projectKey: server.projectKey,
    clientId: STRICT_CLIENT.id,
    clientSecret: STRICT_CLIENT.secret,
    authUrl: server.url,
    apiUrl: server.url,
  });

/** An app instance whose Redis Cluster client the library makes from node URLs (and closes). */
function instance(redis: NonNullable<CtpModuleOptions['redis']>, options: CtpModuleOptions = {}): CtpServices {
  const services = createCtpServices(config(), { ...options, redis: { keyPrefix: `t${Date.now()}:`, ...redis } });
  instances.push(services);
  return services;
}

/** The app's own ioredis Cluster client (passed as redis.client; the library leaves it open). */
function ownCluster(): Cluster {
  const client = new Cluster(cluster.urls.slice(-2), {
    redisOptions: { commandTimeout: 2_000, maxRetriesPerRequest: 1, password: PASSWORD },
  });
  client.on('error', () => undefined);
  ownClients.push(client);
  return client;
}

/** Session ids (`<name>-<n>`) whose keys (`<prefix>session:<id>`) land on all three masters. */
async function sessionIdsOnEveryMaster(name: string, count: number, prefix = 'ctp:'): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${name}-${i}`);
  const masters = new Set(
    await Promise.all(ids.map(async (id) => (await cluster.ownerOf(`${prefix}session:${id}`)).master.port)),
  );
  expect(masters.size).toBe(3);
  return ids;
}

describe('Redis Cluster', () => {
  it('should grant the integration and guest token once for four instances with their own cluster clients', async () => {
    await startServer();
    const prefix = `grants${Date.now()}:`;
    // Two made by the library from different node lists, two the app's own.
    const fleet = [
      instance({ clusterUrls: cluster.urls.slice(0, 3), keyPrefix: prefix }),
      instance({ clusterUrls: cluster.urls.slice(3), keyPrefix: prefix }),
      instance({ client: ownCluster(), keyPrefix: prefix }),
      instance({ client: ownCluster(), keyPrefix: prefix }),
    ];
    const calls = fleet.flatMap((services) =>
      Array.from({ length: 10 }, async () => {
        const integration = await services.client.integrationApiRoot();
        await integration.categories().withId({ ID: 'c1' }).get().execute();
        const guest = await services.client.guestApiRoot();
        await guest.productProjections().get().execute();
      }),
    );
    await Promise.all(calls);
    expect(server.grants.client_credentials).toBe(1);
    expect(server.grants.anonymous).toBe(1);
    // The two tokens' keys: result and fence of each share a slot (one hash tag), on the cluster.
    const keys = (await Promise.all(admin.nodes('master').map((node) => node.keys(`${prefix}*`)))).flat();
    expect(keys.filter((k) => k.startsWith(`${prefix}shared:`))).toHaveLength(2);
    for (const key of keys.filter((k) => k.startsWith(`${prefix}fence:`))) {
      const result = key.replace(`${prefix}fence:`, prefix);
      expect(await admin.cluster('KEYSLOT', key)).toBe(await admin.cluster('KEYSLOT', result));
    }
    // close() quits the clients it made and leaves the app's own open.
    const [made] = fleet.map((s) => s.redis as unknown as Cluster);
    // A real ioredis Cluster: the app may use the one bound as CtpRedis for its own commands too.
    expect(made).toBeInstanceOf(Cluster);
    await expect(made!.ping()).resolves.toBe('PONG');
    await Promise.all(instances.splice(0).map((s) => s.close()));
    // 'end' after QUIT; quitRedisClient's disconnect() may come after it and leave 'close' (no reconnect either way).
    expect(['end', 'close']).toContain(made!.status);
    await expect(made!.ping()).rejects.toThrow();
    await expect(ownClients[0]!.ping()).resolves.toBe('PONG');
  }, 30_000);

  it('should refresh each of twelve sessions once for three instances x 4 concurrent calls per session', async () => {
    const customerId = await startServer();
    const fleet = [0, 1, 2].map((i) => instance({ clusterUrls: [cluster.urls[i]!], keyPrefix: 'ctp:' }));
    const ids = await sessionIdsOnEveryMaster('once', 12);
    const before = await expiredSessions(fleet[0]!, ids);
    const results = await Promise.all(
      ids.flatMap((id) => fleet.flatMap((services) => Array.from({ length: 4 }, () => callMe(services, id)))),
    );
    expect(results.filter((r) => r !== customerId)).toEqual([]);
    expect(server.grants.refresh_token).toBe(12);
    expect([...server.refreshesBySession.values()]).toEqual(Array.from({ length: 12 }, () => 1));
    for (const [i, id] of ids.entries()) {
      const after = (await storedToken(new RedisSessionStorage(admin, id)))!;
      expect(after.refreshToken).toBe(before[i]!.refreshToken);
      expect(after.accessToken).not.toBe(before[i]!.accessToken);
    }
  }, 30_000);

  describe(RedisSessionStorage, () => {
    it('should compare and set atomically on every master, for racing clients', async () => {
      const clients = [ownCluster(), ownCluster(), admin];
      const ids = await sessionIdsOnEveryMaster('cas', 9, 'cas:');
      for (const id of ids) {
        const storage = (i: number) => new RedisSessionStorage(clients[i % clients.length]!, id, { keyPrefix: 'cas:' });
        expect(await storage(0).compareAndSet(stored('a0'), stored('a1'))).toBe(false);
        expect(await storage(1).compareAndSet(undefined, stored('a0'))).toBe(true);
        // Twelve writers expecting a0 at once, from three clients: exactly one wins.
        const won = await Promise.all(
          Array.from({ length: 12 }, (_, i) => storage(i).compareAndSet(stored('a0'), stored(`w${i}`))),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
        const winner = `w${won.indexOf(true)}`;
        expect((await storage(2).get())?.a).toBe(winner);
        expect(await storage(1).compareAndSet(stored(winner, 'other-refresh'), undefined)).toBe(false);
        expect(await storage(0).compareAndSet(stored(winner), undefined)).toBe(true);
        expect(await storage(2).get()).toBeUndefined();
      }
    }, 30_000);
  });

  describe('when a script made its services from redis.clusterUrls', () => {
    it('should end by itself after close()', async () => {
      await startServer();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        CTP_PROJECT_KEY: server.projectKey,
        CTP_CLIENT_ID: STRICT_CLIENT.id,
        CTP_CLIENT_SECRET: STRICT_CLIENT.secret,
        CTP_AUTH_URL: server.url,
        CTP_API_URL: server.url,
        CLOSE_CLUSTER_URLS: cluster.urls.slice(0, 2).join(','),
      };
      delete env['CTP_REDIS_URL'];
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('../../support/fleet/closeScript.ts', import.meta.url))],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
      expect(err).toBe('');
      expect(out).toBe('called c1\ndone\n');
      expect(code).toBe(0);
      expect(server.grants.client_credentials).toBe(1);
    }, 30_000);
  });

  describe('when no node of the cluster answers', () => {
    it('should fail with CTP_REDIS_UNAVAILABLE within commandTimeoutMs, fall back when opted in, and still close', async () => {
      await startServer();
      const nowhere = [`redis://:${PASSWORD}@127.0.0.1:${await closedPort()}`];
      const strict = instance({ clusterUrls: nowhere, commandTimeoutMs: 300 });
      const started = Date.now();
      const error = (await strict.client.integrationApiRoot().catch((e: unknown) => e)) as Error & { code?: string };
      expect(error.code).toBe(CtpErrorCode.RedisUnavailable);
      expect(`${error.message} ${String(error.cause)}`).not.toContain(PASSWORD);
      expect(Date.now() - started).toBeLessThan(1_500);
      const logger = new CapturingLogger();
      const lenient = instance({ clusterUrls: nowhere, commandTimeoutMs: 300, fallbackToLocal: true }, { logger });
      await lenient.client.integrationApiRoot();
      expect(server.grants.client_credentials).toBe(1);
      expect(logger.events('ctp.redis.fallback').length).toBeGreaterThan(0);
      expect(logger.text()).not.toContain(PASSWORD);
      const closing = Date.now();
      await Promise.all(instances.splice(0).map((s) => s.close()));
      expect(Date.now() - closing).toBeLessThan(2_000);
    }, 15_000);
  });

  describe('when a master fails over to its replica during a refresh wave', () => {
    it("should settle every call within the library's timeouts, with typed errors only, and lose no session, when the replica takes over (CLUSTER FAILOVER FORCE)", async () => {
      await refreshWaveWhile('forced', (victim) => cluster.cli(victim.replica!.port, 'cluster', 'failover', 'force'));
    }, 45_000);

    it('should do so too when the master is killed outright (the replica is promoted once the cluster declares it failed)', async () => {
      await refreshWaveWhile('killed', (victim) => void victim.master.child.kill('SIGKILL'));
    }, 45_000);
  });
});

/**
 * 18 expired sessions on all three masters, each called 3 times by each of 3 instances at once.
 * Their refreshes reach the platform; while the answers are held, `fail` strikes the master of the
 * first session, then the answers go out (publish, unlock, compare-and-set meet the failover).
 */
async function refreshWaveWhile(
  name: string,
  fail: (victim: { master: ClusterNode; replica?: ClusterNode }) => unknown,
): Promise<void> {
  const customerId = await startServer();
  const hold = holdingRefreshAnswers();
  const bounds = { commandTimeoutMs: 1_000, lockTtlMs: 2_000, lockWaitMs: 3_000 };
  const options = { fetch: hold.fetch, storageTimeoutMs: 2_000 };
  const fleet = [0, 2, 4].map((i) =>
    instance({ clusterUrls: [cluster.urls[i]!], keyPrefix: `${name}:`, ...bounds }, options),
  );
  const ids = await sessionIdsOnEveryMaster(name, 18);
  const before = await expiredSessions(fleet[0]!, ids);
  await cluster.waitForReplication();
  const victim = await cluster.ownerOf(`ctp:session:${ids[0]}`);
  expect(victim.replica).toBeDefined();

  const started = Date.now();
  const wave = ids.flatMap((id) =>
    fleet.flatMap((services) => Array.from({ length: 3 }, () => timed(callMe(services, id)))),
  );
  await hold.refreshSent;
  await fail(victim);
  hold.release();
  const outcomes = await Promise.race([
    Promise.all(wave),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the refresh wave hung')), 25_000)),
  ]);
  const slowest = Math.max(...outcomes.map((o) => o.ms));
  const errors = outcomes.filter((o) => o.value !== customerId).map((o) => o.value);
  console.info(
    `${name} failover wave: ${outcomes.length} calls, ${errors.length} failed (${[...new Set(errors)].join(', ')}), slowest ${slowest} ms, all settled after ${Date.now() - started} ms`,
  );
  // Every failure is a typed error of Redis or the session store, within the configured bounds.
  const allowed: string[] = [
    CtpErrorCode.RedisUnavailable,
    CtpErrorCode.SessionStorageTimeout,
    CtpErrorCode.FleetLockTimeout,
  ];
  expect(errors.filter((e) => !allowed.includes(e))).toEqual([]);
  expect(slowest).toBeLessThan(15_000);

  await cluster.waitUntilHealthy();
  expect((await cluster.ownerOf(`ctp:session:${ids[0]}`)).master.port).toBe(victim.replica!.port);
  await Promise.all(fleet.map((s) => s.session.settled()));
  // No session lost: each still holds its refresh token, and every instance serves it again.
  for (const [i, id] of ids.entries())
    expect((await storedToken(new RedisSessionStorage(admin, id)))?.refreshToken).toBe(before[i]!.refreshToken);
  const after = await Promise.all(ids.flatMap((id) => fleet.map((services) => callMe(services, id))));
  expect(after.filter((r) => r !== customerId)).toEqual([]);
}

const token = (access: string, refresh = 'refresh-1'): CtpAuthToken => ({
  kind: 'anonymous',
  accessToken: access,
  refreshToken: refresh,
  issuedAt: 1_000,
  expiresAt: 3_601_000,
  scopes: ['manage_my_orders:p'],
  anonymousId: 'anon-1',
});
const stored = (access: string, refresh?: string) => toStoredSession(token(access, refresh));

/** One sign-in per session id, stored already expired: the next call of each refreshes. */
async function expiredSessions(services: CtpServices, ids: string[]): Promise<CtpAuthToken[]> {
  return Promise.all(
    ids.map(async (id) => {
      const storage = new RedisSessionStorage(admin, id);
      const signedIn = await runWithCtpSession(storage, () =>
        services.session.login(CUSTOMER.email, CUSTOMER.password),
      );
      const expired = { ...signedIn, issuedAt: Date.now() - 2 * 3_600_000, expiresAt: Date.now() - 1_000 };
      await putToken(storage, expired);
      return expired;
    }),
  );
}

/** GET /me for one session through one instance: the customer id, or the error's code. */
async function callMe(services: CtpServices, sessionId: string): Promise<string> {
  const storage = new RedisSessionStorage(services.redis!, sessionId, { cache: services.sessionCache });
  try {
    return await runWithCtpSession(storage, async () => {
      const root = await services.client.customerApiRoot();
      return (await root.me().get().execute()).body.id;
    });
  } catch (error) {
    return error instanceof CtpError ? error.code : `untyped: ${String(error)}`;
  }
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work;
  return { value, ms: Date.now() - started };
}

/** A port on 127.0.0.1 nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
