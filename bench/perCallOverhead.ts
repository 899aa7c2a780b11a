import { createApiBuilderFromCtpClient } from '@commercetools/platform-sdk';
import { createAuthWithExistingToken, createClient, createHttpClient } from '@commercetools/sdk-client-v2';
import { Bench } from 'tinybench';
import { createCtpConfig } from '../src/config/createCtpConfig';
import { createCtpServices } from '../src/module/createCtpServices';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../src/session/sessionContext';
import { fmt, table, type Section } from './markdown';

const HOST = 'http://127.0.0.1:9';
const body = JSON.stringify({ id: 'customer-1', version: 1, email: 'a@example.com' });
// In-process: no network, so the difference is the library's own work.
const stub = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });

export async function perCallOverhead(): Promise<Section> {
  const config = createCtpConfig({ projectKey: 'bench', clientId: 'id', clientSecret: 'secret', authUrl: HOST, apiUrl: HOST });
  const services = createCtpServices(config, { fetch: stub });
  const storage = new MemorySessionStorage('s', {
    kind: 'customer',
    accessToken: 'access-token-for-bench',
    refreshToken: 'refresh-token-for-bench',
    issuedAt: Date.now(),
    expiresAt: Date.now() + 48 * 3_600_000,
    scopes: ['manage_my_profile:bench'],
    customerId: 'customer-1',
  });
  const bare = createApiBuilderFromCtpClient(
    createClient({ middlewares: [createAuthWithExistingToken('Bearer access-token-for-bench', { force: true }), createHttpClient({ host: HOST, fetch: stub })] }),
  ).withProjectKey({ projectKey: 'bench' });

  const bench = new Bench({ time: 3_000, warmupTime: 500 });
  bench
    .add('bare platform-sdk builder, fixed token', async () => {
      await bare.me().get().execute();
    })
    .add('ctp-client customerApiRoot() + call', async () => {
      await (await services.client.customerApiRoot()).me().get().execute();
    });
  // The session context is set once per HTTP request by the middleware, not per call: the tasks
  // run inside one, as a datasource's calls do.
  await runWithCtpSession(storage, () => bench.run());
  const rows: (string | number)[][] = [];
  const medians: number[] = [];
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    medians.push(r.throughput.p50);
    rows.push([task.name, fmt(r.throughput.p50), `± ${fmt(r.throughput.mad)}`, fmt(r.latency.p50 * 1000, 1), fmt(r.latency.samplesCount)]);
  }
  const ratio = medians[0]! / medians[1]!;
  return {
    title: 'Per-call overhead',
    goal: 'ctp-client at most 1.10 x the time of a bare request builder',
    met: ratio <= 1.1,
    body: table(['task', 'ops/s (median)', 'spread (MAD)', 'latency µs (median)', 'samples'], rows) + `\n\nratio (bare ops/s ÷ ctp-client ops/s): **${ratio.toFixed(3)}**`,
    notes: ['Both over the same in-process fetch stub; tinybench, 3 s per task after 0.5 s warm-up. ctp-client\'s call includes the session lookup (AsyncLocalStorage store), the renewal check, the builder cache, its 401-recovery wrapper and its API timeout.'],
  };
}
