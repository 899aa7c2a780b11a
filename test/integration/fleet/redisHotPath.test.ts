import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { RedisEvents } from '../../../src/fleet/RedisEvents';
import { RedisSessionCache } from '../../../src/fleet/RedisSessionCache';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { createCtpServices, type CtpServices } from '../../../src/module/createCtpServices';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { CapturingLogger } from '../../support/createTestServices';
import { FLEET_CUSTOMER, measureFleetCosts } from '../../support/fleet/redisFleetCosts';
import { commandStats, HEARTBEAT_COUNTER, resetCommandStats } from '../../support/redis/commandStats';
import { startRedis, type RedisProcess } from '../../support/redis/startRedis';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';
import { putToken } from '../../support/session/storedToken';

// Real redis-server, strict local commercetools; Redis's own counters (INFO commandstats) count.
let redisServer: RedisProcess;
let admin: Redis;
let server: StrictCommercetools;
const closing: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redisServer = await startRedis();
  admin = new Redis(redisServer.url);
});

afterAll(async () => {
  await admin.quit();
  await redisServer.stop();
});

afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
  await server?.stop();
  await admin.flushall();
});

async function startServer(): Promise<void> {
  server = await new StrictCommercetools().start();
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
  server.addCustomer(FLEET_CUSTOMER.email, FLEET_CUSTOMER.password);
}

interface Instance {
  services: CtpServices;
  redis: Redis;
}

/** An app instance: its own Redis connection and services (so its own cache and subscriber). */
function instance(): Instance {
  const redis = new Redis(redisServer.url, { commandTimeout: 5_000, maxRetriesPerRequest: 1 });
  const config = createCtpConfig({
    projectKey: server.projectKey,
    clientId: STRICT_CLIENT.id,
    clientSecret: STRICT_CLIENT.secret,
    authUrl: server.url,
    apiUrl: server.url,
  });
  const services = createCtpServices(config, { redis: { client: redis } });
  closing.push(
    () => redis.quit(),
    () => services.close(),
  );
  return { services, redis };
}

/** A request's storage on instance `i`, through that instance's session cache (as an app passes it). */
const store = (i: Instance, id: string) => new RedisSessionStorage(i.redis, id, { cache: i.services.sessionCache });

const me = (i: Instance, storage: RedisSessionStorage) =>
  runWithCtpSession(storage, async () => (await i.services.client.customerApiRoot()).me().get().execute());

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let n = 0; n < 400; n++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Signs in on `a`, and waits until `b`'s cache holds the session (its subscription confirmed). */
async function signedInOnBoth(a: Instance, b: Instance, id: string): Promise<CtpAuthToken> {
  const token = await runWithCtpSession(store(a, id), () =>
    a.services.session.login(FLEET_CUSTOMER.email, FLEET_CUSTOMER.password),
  );
  await until(
    async () => (await store(b, id).get(), b.services.sessionCache?.lookup(id)?.a === token.accessToken),
    "b's cache holds the session",
  );
  return token;
}

describe('Redis on the hot path', () => {
  it('should send no Redis command for API calls on valid tokens, one grant and a bounded number of commands per instance for a refresh wave of 16 instances', async () => {
    await startServer();
    const costs = await measureFleetCosts({ redisUrl: redisServer.url, server, instances: 16, callsPerInstance: 10 });
    const of = (scenario: string) => costs.find((c) => c.scenario === scenario)!;
    // 160 customer and 160 integration calls on valid tokens: not one command.
    expect(of('api call')).toMatchObject({ grants: 0, commands: 0, roundTripsPerInstance: 0 });
    // A refresh wave: one refresh grant for the fleet. Per instance at most: a GET on the hot path,
    // two TRY scripts (the holder: TRY and PUBLISH), the GET and compare-and-set of the store, a
    // conflict's re-read; the scripts' inner commands count too (measured ~8 executed, ~4.6 sent).
    expect(of('refresh').grants).toBe(1);
    expect(of('refresh').roundTripsPerInstance).toBeLessThanOrEqual(7);
    expect(of('refresh').commandsPerInstance).toBeLessThanOrEqual(14);
    // A cold start: one client_credentials grant; the others read its publication, woken by it
    // (measured 2 sent per instance; until its subscription is confirmed a waiter polls every 50 ms).
    expect(of('grant').grants).toBe(1);
    expect(of('grant').roundTripsPerInstance).toBeLessThanOrEqual(6);
  }, 60_000);

  it('should send no Redis command for an API call once the session is cached', async () => {
    await startServer();
    const a = instance();
    const b = instance();
    await signedInOnBoth(a, b, 'calm');
    await me(b, store(b, 'calm'));
    await resetCommandStats(admin);
    for (let n = 0; n < 5; n++) await me(b, store(b, 'calm'));
    expect((await commandStats(admin)).total).toBe(0);
    expect(server.apiCalls.filter((c) => c.path === '/me' && c.status === 200)).toHaveLength(6);
  });

  describe('when the session is signed out on another instance', () => {
    it('should drop it from the cache when the logout is published, so the next call reads Redis and finds no session', async () => {
      await startServer();
      const a = instance();
      const b = instance();
      const token = await signedInOnBoth(a, b, 'out-1');
      await runWithCtpSession(store(a, 'out-1'), () => a.services.session.logout());
      await until(() => b.services.sessionCache?.lookup('out-1') === undefined, "b's cache dropped the session");
      await resetCommandStats(admin);
      const answer = await runWithCtpSession(store(b, 'out-1'), () =>
        b.services.session.accessToken({ createAnonymous: false }),
      ).catch((e: unknown) => e);
      expect(answer).toMatchObject({ code: CtpErrorCode.NoSession });
      expect((await commandStats(admin)).byCommand['get']).toBe(1);
      expect(
        server.apiCalls.some(
          (c) => c.kind === 'customer' && c.customerId === token.customerId && c.status === 200 && c.path === '/me',
        ),
      ).toBe(false);
    });

    it('should, if the message never arrives, fail the 401 recovery on what Redis holds and send no other token', async () => {
      await startServer();
      const a = instance();
      const b = instance();
      await signedInOnBoth(a, b, 'out-2');
      // B's storage keeps its own cache on a channel nobody publishes to: a message lost for good.
      const deafEvents = new RedisEvents({ redis: b.redis, logger: new CapturingLogger(), closeTimeoutMs: 1_000 });
      closing.push(() => deafEvents.close());
      const deaf = new RedisSessionCache(deafEvents, 'nobody-publishes-here');
      const storageB = () => new RedisSessionStorage(b.redis, 'out-2', { cache: deaf });
      await until(
        async () => (await storageB().get(), deaf.lookup('out-2') !== undefined),
        'the deaf cache holds the session',
      );
      const stale = deaf.lookup('out-2')!;
      await runWithCtpSession(store(a, 'out-2'), () => a.services.session.logout());
      expect(deaf.lookup('out-2')?.a).toBe(stale.a);
      const callsBefore = server.apiCalls.length;
      await resetCommandStats(admin);
      await expect(me(b, storageB())).rejects.toMatchObject({ code: CtpErrorCode.SessionExpired });
      // One attempt with the cached token, refused (the logout revoked it), and no retry with anything else.
      const calls = server.apiCalls.slice(callsBefore);
      expect(calls.map((c) => [c.path, c.status])).toEqual([['/me', 401]]);
      // The recovery asked Redis itself (one GET), not the cache: nothing to refresh, no script run.
      expect((await commandStats(admin)).byCommand).toEqual({ get: 1 });
    });
  });

  describe('when the session is refreshed on another instance and the message never arrives', () => {
    it('should recover from the 401 with the token Redis holds', async () => {
      await startServer();
      const a = instance();
      const b = instance();
      const token = await signedInOnBoth(a, b, 'refreshed');
      const deafEvents = new RedisEvents({ redis: b.redis, logger: new CapturingLogger(), closeTimeoutMs: 1_000 });
      closing.push(() => deafEvents.close());
      const deaf = new RedisSessionCache(deafEvents, 'nobody-publishes-here');
      const storageB = () => new RedisSessionStorage(b.redis, 'refreshed', { cache: deaf });
      await until(
        async () => (await storageB().get(), deaf.lookup('refreshed') !== undefined),
        'the deaf cache holds the session',
      );
      // A refreshes the session (its token is revoked: the access token a refresh replaces is, after a grace period).
      const storageA = store(a, 'refreshed');
      // Expired: the caller waits for the refresh (inside the margin it would run in the background).
      await putToken(storageA, { ...token, issuedAt: Date.now() - 7_200_000, expiresAt: Date.now() - 1_000 });
      const refreshed = await runWithCtpSession(storageA, () => a.services.session.accessToken());
      expect(refreshed.accessToken).not.toBe(token.accessToken);
      // The replaced token is revoked after a grace period; settled() starts that revocation now.
      await a.services.session.settled();
      expect(deaf.lookup('refreshed')?.a).toBe(token.accessToken);
      const callsBefore = server.apiCalls.length;
      await resetCommandStats(admin);
      const { body } = await me(b, storageB());
      // The recovery read what Redis holds (one GET) and took it, without refreshing again.
      expect((await commandStats(admin)).byCommand).toEqual({ get: 1 });
      expect(body.id).toBe(token.customerId);
      expect(server.apiCalls.slice(callsBefore).map((c) => c.status)).toEqual([401, 200]);
      expect(deaf.lookup('refreshed')?.a).toBe(refreshed.accessToken);
    });
  });

  describe('when the subscriber connection is lost', () => {
    it('should forget every cached session and read Redis until the subscription is back', async () => {
      await startServer();
      const a = instance();
      const b = instance();
      await signedInOnBoth(a, b, 'lost');
      const cache = b.services.sessionCache!;
      expect(cache.size).toBe(1);
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await until(() => cache.size === 0, 'the cache is emptied');
      // Reconnected and subscribed again: it fills anew.
      await until(async () => (await store(b, 'lost').get(), cache.size === 1), 'the cache fills again');
    });
  });

  describe('the subscriber connection', () => {
    // The app's subscriber connections (not this file's heartbeat counter, see commandStats).
    const subscribers = async () =>
      ((await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string)
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.includes(`name=${HEARTBEAT_COUNTER} `)).length;

    it('should be made on first use, once per process, and closed by close() while a given client stays open', async () => {
      await startServer();
      const redis = new Redis(redisServer.url);
      closing.push(() => redis.quit());
      const config = createCtpConfig({
        projectKey: server.projectKey,
        clientId: STRICT_CLIENT.id,
        clientSecret: STRICT_CLIENT.secret,
        authUrl: server.url,
        apiUrl: server.url,
      });
      const services = createCtpServices(config, { redis: { client: redis } });
      expect(await subscribers()).toBe(0);
      await runWithCtpSession(new RedisSessionStorage(redis, 'sub', { cache: services.sessionCache }), () =>
        services.session.login(FLEET_CUSTOMER.email, FLEET_CUSTOMER.password),
      );
      await Promise.all(
        Array.from({ length: 5 }, () =>
          me({ services, redis }, new RedisSessionStorage(redis, 'sub', { cache: services.sessionCache })),
        ),
      );
      await (await services.client.integrationApiRoot()).categories().withId({ ID: 'c1' }).get().execute();
      await until(async () => (await subscribers()) === 1, 'one subscriber connection');
      await services.close();
      await until(async () => (await subscribers()) === 0, 'no subscriber connection');
      expect(await redis.ping()).toBe('PONG');
    });

    it('should not keep a script alive that quit its own client and forgot close()', async () => {
      await startServer();
      const script = fileURLToPath(new URL('../../support/fleet/givenClientScript.ts', import.meta.url));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        CTP_PROJECT_KEY: server.projectKey,
        CTP_CLIENT_ID: STRICT_CLIENT.id,
        CTP_CLIENT_SECRET: STRICT_CLIENT.secret,
        CTP_AUTH_URL: server.url,
        CTP_API_URL: server.url,
        SCRIPT_REDIS_URL: redisServer.url,
      };
      delete env['CTP_REDIS_URL'];
      const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const exited = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => (child.kill('SIGKILL'), resolve(false)), 20_000);
        child.once('exit', () => (clearTimeout(timer), resolve(true)));
      });
      expect(out).toBe('called c1\ndone\n');
      expect(exited).toBe(true);
    }, 30_000);
  });
});
