import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { RedisEvents } from '../../../src/fleet/RedisEvents';
import { RedisSessionCache } from '../../../src/fleet/RedisSessionCache';
import { RedisSessionStorage, sessionChannel } from '../../../src/fleet/RedisSessionStorage';
import { createCtpServices, type CtpServices } from '../../../src/module/createCtpServices';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { CapturingLogger } from '../../support/createTestServices';
import { startDeafeningProxy, type DeafeningProxy } from '../../support/redis/startDeafeningProxy';
import { startRedis, type RedisProcess } from '../../support/redis/startRedis';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';
import { putToken } from '../../support/session/storedToken';

// A subscriber connection that stays up and delivers nothing: a proxy between the instance and a
// real redis-server drops every pub/sub message Redis sends to subscriber connections.

let redisServer: RedisProcess;
let admin: Redis;
let proxy: DeafeningProxy;
let server: StrictCommercetools | undefined;
const closing: (() => Promise<unknown>)[] = [];
const CUSTOMER = { email: 'dana@example.com', password: 'Dana-Pa55word!' };
const CHANNEL = sessionChannel('ctp:');

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
  await proxy?.close();
  await server?.stop();
  await admin.flushall();
});

/** Polls `condition` until it holds, for at most `ms`: events are ordered by what can be observed, not by sleeping. */
async function until(condition: () => Promise<boolean> | boolean, what: string, ms = 5_000): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out after ${ms} ms waiting until ${what}`);
}

function client(url: string): Redis {
  const redis = new Redis(url, { commandTimeout: 5_000, maxRetriesPerRequest: 1 });
  closing.push(() => redis.quit());
  return redis;
}

interface Instance {
  services: CtpServices;
  redis: Redis;
}

/** An app instance as createCtpServices makes it, with the default heartbeat and bound. */
function instance(url: string): Instance {
  const redis = client(url);
  const config = createCtpConfig({
    projectKey: server!.projectKey,
    clientId: STRICT_CLIENT.id,
    clientSecret: STRICT_CLIENT.secret,
    authUrl: server!.url,
    apiUrl: server!.url,
  });
  const services = createCtpServices(config, { redis: { client: redis }, logger: new CapturingLogger() });
  closing.push(() => services.close());
  return { services, redis };
}

describe('an instance whose subscriber connection silently stops delivering', () => {
  it('should stop serving a shopper signed out on another instance within 2 s of logout(), although the revocation failed', async () => {
    proxy = await startDeafeningProxy(redisServer.port);
    server = await new StrictCommercetools().start();
    server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
    server.addCustomer(CUSTOMER.email, CUSTOMER.password);
    const a = instance(redisServer.url);
    const b = instance(proxy.url);
    const storage = (i: Instance) => new RedisSessionStorage(i.redis, 'sid', { cache: i.services.sessionCache });
    /** B serves the signed-in shopper: its /me answers with the customer. */
    const servesShopper = async (customerId: string) => {
      try {
        const { body } = await runWithCtpSession(storage(b), async () =>
          (await b.services.client.customerApiRoot()).me().get().execute(),
        );
        return body.id === customerId;
      } catch {
        return false;
      }
    };
    const token: CtpAuthToken = await runWithCtpSession(storage(a), () =>
      a.services.session.login(CUSTOMER.email, CUSTOMER.password),
    );
    await until(
      async () => (
        await servesShopper(token.customerId!),
        b.services.sessionCache?.lookup('sid')?.a === token.accessToken
      ),
      "b's cache holds the session",
    );

    proxy.deafen();
    // Every revocation of the logout fails: the platform keeps accepting the signed-out token.
    server.failFlow(
      'revoke',
      ...Array.from({ length: 10 }, () => ({
        kind: 'status' as const,
        status: 400,
        body: '{"error":"invalid_request"}',
      })),
    );
    await runWithCtpSession(storage(a), () => a.services.session.logout());
    const loggedOut = performance.now();
    expect(server.flowRequests.revoke).toBeGreaterThan(0);

    // When the last call that still served the shopper began (it read the session after that).
    let lastServed = loggedOut;
    await until(async () => {
      const began = performance.now();
      if (!(await servesShopper(token.customerId!))) return true;
      lastServed = began;
      return false;
    }, 'b stops serving the signed-out shopper');
    expect(lastServed - loggedOut).toBeLessThanOrEqual(2_000);
    // For good: later calls do not serve it either, while the subscriber still hears nothing.
    for (let n = 0; n < 10; n++) expect(await servesShopper(token.customerId!)).toBe(false);
    expect(proxy.dropped).toBeGreaterThan(0);
    // The platform still accepts the token (the revocation failed): the cache was all that stood between.
    const direct = await fetch(`${server.url}/${server.projectKey}/me`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    expect(direct.status).toBe(200);
  }, 30_000);
});

describe('RedisEvents with a heartbeat every 20 ms and a bound of 100 ms', () => {
  async function setUp() {
    proxy = await startDeafeningProxy(redisServer.port);
    const redis = client(proxy.url);
    const logger = new CapturingLogger();
    const events = new RedisEvents({ redis, logger, closeTimeoutMs: 1_000, heartbeatMs: 20, maxLagMs: 100 });
    closing.push(() => events.close());
    const cache = new RedisSessionCache(events, CHANNEL);
    const storage = () => new RedisSessionStorage(redis, 'sid', { cache });
    const writer = new RedisSessionStorage(admin, 'sid', { cache: false });
    return { events, cache, storage, writer, logger };
  }
  const token = (accessToken: string): CtpAuthToken => ({
    kind: 'anonymous',
    accessToken,
    refreshToken: 'p:rt',
    issuedAt: Date.now(),
    expiresAt: Date.now() + 3_600_000,
    scopes: ['manage_my_orders:p'],
    anonymousId: 'an',
  });

  it('should distrust the cache once no heartbeat comes back, read Redis meanwhile, and trust it again when delivery is back', async () => {
    const { events, cache, storage, writer, logger } = await setUp();
    await putToken(writer, token('first'));
    await until(async () => (await storage().get(), cache.lookup('sid')?.a === 'first'), 'the cache holds the session');

    proxy.deafen();
    await until(() => !events.live(CHANNEL), 'the subscription is distrusted');
    expect(cache.size).toBe(0);
    expect(logger.events('ctp.redis.subscriber.lagging')).toHaveLength(1);
    // Changes are read from Redis while nothing is heard, and not kept.
    await putToken(writer, token('second'));
    expect((await storage().get())?.a).toBe('second');
    expect(cache.lookup('sid')).toBeUndefined();

    proxy.hear();
    await until(() => events.live(CHANNEL), 'delivery is verified again');
    expect(logger.events('ctp.redis.subscriber.delivering')).toHaveLength(1);
    await until(async () => (await storage().get(), cache.lookup('sid')?.a === 'second'), 'the cache fills again');
    // And it hears changes again.
    await putToken(writer, token('third'));
    await until(() => cache.lookup('sid') === undefined, 'the change is heard');
  }, 20_000);
});
