import Redis from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { CapturingLogger, ManualClock } from '../../support/createTestServices';
import { startRedis, type RedisProcess } from '../../support/redis/startRedis';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';
import { storedToken } from '../../support/session/storedToken';

let redisServer: RedisProcess;
let redis: Redis;
let server: StrictCommercetools;

afterEach(async () => {
  redisServer?.resume();
  redis?.disconnect();
  await redisServer?.stop();
  await server?.stop();
});

async function setUp(fallbackToLocal = false) {
  redisServer = await startRedis();
  // A short command timeout: while Redis is stopped, calls fail in 300 ms instead of queueing.
  redis = new Redis(redisServer.url, { commandTimeout: 300, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const clock = new ManualClock(Date.now());
  server = await new StrictCommercetools({ now: () => clock.now() }).start();
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
  server.addCustomer('finn@example.com', 'Finn-Pa55word!');
  const logger = new CapturingLogger();
  const services = createCtpServices(
    createCtpConfig({
      projectKey: server.projectKey,
      clientId: STRICT_CLIENT.id,
      clientSecret: STRICT_CLIENT.secret,
      authUrl: server.url,
      apiUrl: server.url,
    }),
    {
      redis: { client: redis, fallbackToLocal },
      clock,
      logger,
    },
  );
  return { services, clock, logger, storage: new RedisSessionStorage(redis, 'sess') };
}

describe('when Redis stops mid-run', () => {
  it('should raise CTP_REDIS_UNAVAILABLE, and find the session intact once Redis is back', async () => {
    const { services, clock, storage } = await setUp();
    await runWithCtpSession(storage, () => services.session.login('finn@example.com', 'Finn-Pa55word!'));
    const before = await storedToken(storage);

    redisServer.pause();
    clock.advance(3_600_000); // the token also needs a refresh now
    await expect(runWithCtpSession(storage, () => services.client.customerApiRoot())).rejects.toMatchObject({
      code: CtpErrorCode.RedisUnavailable,
    });
    await expect(services.client.integrationApiRoot()).rejects.toMatchObject({ code: CtpErrorCode.RedisUnavailable });
    redisServer.resume();

    const root = await runWithCtpSession(storage, () => services.client.customerApiRoot());
    const { body } = await runWithCtpSession(storage, () => root.me().get().execute());
    expect(body.email).toBe('finn@example.com');
    const after = (await storedToken(storage))!;
    expect(after.refreshToken).toBe(before!.refreshToken);
    expect(after.customerId).toBe(before!.customerId);
    expect(server.grants.refresh_token).toBe(1);
    await services.client.integrationApiRoot();
  }, 30_000);

  it('should coordinate in the process and say so when the app opted into the fallback', async () => {
    const { services, logger } = await setUp(true);
    redisServer.pause();
    await services.client.integrationApiRoot();
    expect(server.grants.client_credentials).toBe(1);
    expect(logger.events('ctp.redis.fallback').length).toBeGreaterThan(0);
  }, 30_000);
});
