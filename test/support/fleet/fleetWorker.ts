// One app instance of a fleet test, in its own process: `node --import tsx fleetWorker.ts`.
// Reads its task from FLEET_* variables, prints "ready", waits for "go" on stdin, runs, prints one
// JSON line with what it saw, and exits.
import { storedToken } from '../session/storedToken';
import { createInterface } from 'node:readline';
import Redis from 'ioredis';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { CtpError } from '../../../src/errors/CtpError';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { runWithCtpSession } from '../../../src/session/sessionContext';

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
// A generous command timeout: on a loaded CI machine a starved worker must not fail calls this test does not judge.
const redis = new Redis(env('FLEET_REDIS_URL'), { commandTimeout: 10_000, maxRetriesPerRequest: 1 });
const services = createCtpServices(
  createCtpConfig({
    projectKey: env('FLEET_PROJECT'),
    clientId: env('FLEET_CLIENT_ID'),
    clientSecret: env('FLEET_CLIENT_SECRET'),
    authUrl: env('FLEET_URL'),
    apiUrl: env('FLEET_URL'),
  }),
  // FLEET_NO_REDIS_LOCK: the session still lives in Redis, but each process refreshes on its own (for the benchmark's baseline).
  process.env['FLEET_NO_REDIS_LOCK']
    ? {}
    : {
        redis: {
          client: redis,
          lockTtlMs: Number(process.env['FLEET_LOCK_TTL_MS'] ?? 10_000),
          lockWaitMs: 20_000,
          pollMs: Number(process.env['FLEET_POLL_MS'] ?? 20),
        },
      },
);
const concurrency = Number(process.env['FLEET_CONCURRENCY'] ?? 50);
const task = env('FLEET_TASK');

process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));

const started = Date.now();
const results = await Promise.allSettled(
  Array.from({ length: concurrency }, async () => {
    if (task === 'refresh') {
      const storage = new RedisSessionStorage(redis, env('FLEET_SESSION_ID'), { cache: services.sessionCache });
      return runWithCtpSession(storage, async () => {
        const apiRoot = await services.client.customerApiRoot();
        const { body } = await apiRoot.me().get().execute();
        return `${(await storedToken(storage))?.accessToken ?? ''} ${body.id}`;
      });
    }
    const integration = await services.client.integrationApiRoot();
    await integration.categories().withId({ ID: 'c1' }).get().execute();
    const guest = await services.client.guestApiRoot();
    await guest.productProjections().get().execute();
    return 'ok';
  }),
);
const errors = results
  .filter((r) => r.status === 'rejected')
  .map((r) => (r.reason instanceof CtpError ? r.reason.code : String(r.reason)));
const values = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
process.stdout.write(
  `${JSON.stringify({ pid: process.pid, ok: values.length, errors, distinct: [...new Set(values)].length, ms: Date.now() - started })}\n`,
);
await redis.quit();
process.exit(0);
