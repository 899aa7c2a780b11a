import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { startRedis, type RedisProcess } from '../../support/redis/startRedis';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';

let redisServer: RedisProcess;
let server: StrictCommercetools;

beforeAll(async () => {
  redisServer = await startRedis();
  server = await new StrictCommercetools().start();
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
});

afterAll(async () => {
  await server.stop();
  await redisServer.stop();
});

const config = (redisUrl?: string) =>
  createCtpConfig({
    projectKey: server.projectKey,
    clientId: STRICT_CLIENT.id,
    clientSecret: STRICT_CLIENT.secret,
    authUrl: server.url,
    apiUrl: server.url,
    ...(redisUrl ? { redisUrl } : {}),
  });

const script = fileURLToPath(new URL('../../support/fleet/closeScript.ts', import.meta.url));

/** Runs the script; resolves with its output and exit code, or with `exited: false` if it is still running `graceMs` after printing "done". */
function runScript(
  extraEnv: Record<string, string>,
  graceMs: number,
): Promise<{ exited: boolean; code: number | null; out: string; err: string }> {
  const env = {
    ...process.env,
    CTP_PROJECT_KEY: server.projectKey,
    CTP_CLIENT_ID: STRICT_CLIENT.id,
    CTP_CLIENT_SECRET: STRICT_CLIENT.secret,
    CTP_AUTH_URL: server.url,
    CTP_API_URL: server.url,
    CTP_REDIS_URL: redisServer.url,
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('done\n') && timer === undefined) {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve({ exited: false, code: null, out, err });
        }, graceMs);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ exited: true, code, out, err });
    });
  });
}

describe('CtpServices.close', () => {
  describe('when a script made its services from CTP_REDIS_URL', () => {
    it('should let the script exit by itself after close()', async () => {
      const run = await runScript({}, 5_000);
      expect(run.err).toBe('');
      expect(run.out).toBe('called c1\ndone\n');
      expect(run).toMatchObject({ exited: true, code: 0 });
    }, 30_000);

    it('should keep the script alive without close() (the Redis client it made holds it)', async () => {
      const run = await runScript({ CLOSE_SKIP: '1' }, 1_500);
      expect(run.out).toBe('called c1\ndone\n');
      expect(run.exited).toBe(false);
    }, 30_000);
  });

  describe('when the Redis client was made from a URL', () => {
    it('should quit it, and be safe to call again', async () => {
      const services = createCtpServices(config(redisServer.url));
      await services.client.integrationApiRoot();
      const redis = services.redis as Redis;
      expect(redis.status).toBe('ready');
      const first = services.close();
      expect(services.close()).toBe(first);
      await first;
      expect(redis.status).toBe('end');
      await services.close();
    });
  });

  describe('when the app passed its own Redis client', () => {
    let own: Redis;
    afterEach(async () => {
      await own.quit();
    });

    it('should leave it open', async () => {
      own = new Redis(redisServer.url);
      const services = createCtpServices(config(), { redis: { client: own } });
      await services.client.integrationApiRoot();
      await services.close();
      expect(own.status).toBe('ready');
      await expect(own.ping()).resolves.toBe('PONG');
    });
  });

  describe('when Redis does not answer', () => {
    it('should still close within the command timeout', async () => {
      const stalled = await startRedis();
      try {
        const services = createCtpServices(config(stalled.url), { redis: { commandTimeoutMs: 300 } });
        await services.client.integrationApiRoot();
        stalled.pause();
        const started = Date.now();
        await services.close();
        expect(Date.now() - started).toBeLessThan(2_000);
        expect((services.redis as Redis).status).toBe('end');
      } finally {
        await stalled.stop();
      }
    });
  });
});
