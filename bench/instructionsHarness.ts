// The program bench/instructionsPerCall.ts runs under callgrind: argv engine, task, warm-up calls,
// calls. Tasks as in bench/promisesPerCall.ts: bare, bareasync (the bare builder behind one await),
// exec (a ctp-client builder already obtained), full (customerApiRoot() + call in a request context
// with a correlation ID and a chain deadline).
import { createApiBuilderFromCtpClient } from '@commercetools/platform-sdk';
import * as v2 from '@commercetools/sdk-client-v2';
import * as tsClient from '@commercetools/ts-client';
import { runWithCorrelationId, withApiCallOptions } from '../src/client/apiCallContext';
import { createCtpConfig } from '../src/config/createCtpConfig';
import { createCtpServices } from '../src/module/createCtpServices';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../src/session/sessionContext';

const [engine = 'sdk-client-v2', task = 'full', warmup = '3000', calls = '1000'] = process.argv.slice(2);
const HOST = 'http://127.0.0.1:9';
const body = JSON.stringify({ id: 'customer-1', version: 1, email: 'a@example.com' });
const stub = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
const config = createCtpConfig({ projectKey: 'bench', clientId: 'id', clientSecret: 'secret', authUrl: HOST, apiUrl: HOST });
const services = createCtpServices(config, { fetch: stub, api: { engine: engine as 'sdk-client-v2' | 'ts-client' } });
const storage = new MemorySessionStorage('s', { kind: 'customer', accessToken: 'access-token-for-bench', refreshToken: 'refresh-token-for-bench', issuedAt: Date.now(), expiresAt: Date.now() + 48 * 3_600_000, scopes: ['manage_my_profile:bench'], customerId: 'customer-1' });
const client =
  engine === 'ts-client'
    ? tsClient.createClient({ middlewares: [tsClient.createAuthMiddlewareForExistingTokenFlow('Bearer access-token-for-bench', { force: true }), tsClient.createHttpMiddleware({ host: HOST, httpClient: stub as never })] })
    : v2.createClient({ middlewares: [v2.createAuthWithExistingToken('Bearer access-token-for-bench', { force: true }), v2.createHttpClient({ host: HOST, fetch: stub })] });
const bare = createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: 'bench' });
let held: typeof bare;
const fns: Record<string, () => Promise<unknown>> = {
  bare: () => bare.me().get().execute(),
  bareasync: async () => (await Promise.resolve(bare)).me().get().execute(),
  exec: () => held.me().get().execute(),
  root: () => services.client.customerApiRoot(),
  resolved: () => Promise.resolve(bare),
  full: async () => (await services.client.customerApiRoot()).me().get().execute(),
};
// "a+b": both tasks, one after the other each iteration (as the bench interleaves them in one process).
const [first, second] = task.split('+');
const fn = second === undefined ? fns[task] : fns[first!] && fns[second] ? async () => (await fns[first!]!(), fns[second]!()) : undefined;
if (!fn) throw new Error(`unknown task ${task}`);
await runWithCtpSession(storage, () =>
  runWithCorrelationId('bench-request-0001', () =>
    withApiCallOptions({ timeoutMs: 3_600_000 }, async () => {
      held = await services.client.customerApiRoot();
      // The event loop turns every 100 calls, as a server's does between requests: timers (the
      // API deadline sweeper's tick) run, and what they hold for a tick's calls is let go.
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      for (let i = 0; i < Number(warmup); i++) {
        await fn();
        if (i % 100 === 99) await turn();
      }
      if (process.env.CPU !== undefined) {
        // CPU µs per call of this task alone in its process: median of 30 blocks of 1,000 calls.
        const blocks: number[] = [];
        for (let b = 0; b < 30; b++) {
          const start = process.cpuUsage();
          for (let i = 0; i < 1000; i++) await fn();
          const used = process.cpuUsage(start);
          blocks.push((used.user + used.system) / 1000);
          await new Promise((resolve) => setImmediate(resolve));
        }
        blocks.sort((a, b) => a - b);
        console.log(`${engine} ${task}: ${blocks[15]!.toFixed(2)} CPU µs per call (median of 30 blocks, alone in its process)`);
        return;
      }
      if (process.env.ALLOC === undefined) {
        for (let i = 0; i < Number(calls); i++) {
          await fn();
          if (i % 100 === 99) await turn();
        }
        return;
      }
      // Bytes allocated per call: heap growth over short windows; a window with a scavenge in it
      // shrinks, so the median of many windows (most without one, given a large new space) is taken.
      const deltas: number[] = [];
      for (let w = 0; w < 200; w++) {
        const before = process.memoryUsage().heapUsed;
        for (let i = 0; i < 50; i++) await fn();
        deltas.push((process.memoryUsage().heapUsed - before) / 50);
      }
      deltas.sort((a, b) => a - b);
      console.log(`${engine} ${task}: ${Math.round(deltas[100]!)} bytes allocated per call (median of 200 windows)`);
    }),
  ),
);
await services.close();
process.exit(0);
