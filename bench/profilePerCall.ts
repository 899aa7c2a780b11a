// A plain loop for profiling the per-call path (not part of npm run bench):
//   node --cpu-prof --import tsx bench/profilePerCall.ts 30000 ctp   # or: bare | both
// prints CPU µs per call of a bare builder and of customerApiRoot() + call over the bench's stub;
// ROUNDS sets the rounds. The .cpuprofile shows where the library's own time goes.
import { createApiBuilderFromCtpClient } from '@commercetools/platform-sdk';
import { createAuthWithExistingToken, createClient, createHttpClient } from '@commercetools/sdk-client-v2';
import { createCtpConfig } from '../src/config/createCtpConfig';
import { createCtpServices } from '../src/module/createCtpServices';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../src/session/sessionContext';
const HOST = 'http://127.0.0.1:9';
const body = JSON.stringify({ id: 'customer-1', version: 1, email: 'a@example.com' });
const stub = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
const config = createCtpConfig({ projectKey: 'bench', clientId: 'id', clientSecret: 'secret', authUrl: HOST, apiUrl: HOST });
const services = createCtpServices(config, { fetch: stub });
const storage = new MemorySessionStorage('s', { kind: 'customer', accessToken: 'access-token-for-bench', refreshToken: 'refresh-token-for-bench', issuedAt: Date.now(), expiresAt: Date.now() + 48 * 3_600_000, scopes: ['manage_my_profile:bench'], customerId: 'customer-1' });
const bare = createApiBuilderFromCtpClient(createClient({ middlewares: [createAuthWithExistingToken('Bearer access-token-for-bench', { force: true }), createHttpClient({ host: HOST, fetch: stub })] })).withProjectKey({ projectKey: 'bench' });
const N = Number(process.argv[2] ?? 100000);
const mode = process.argv[3] ?? 'both';
await runWithCtpSession(storage, async () => {
  for (let round = 0; round < Number(process.env.ROUNDS ?? 5); round++) {
    let t = process.cpuUsage();
    if (mode !== 'ctp') for (let i = 0; i < N; i++) await bare.me().get().execute();
    const a = process.cpuUsage(t);
    t = process.cpuUsage();
    if (mode !== 'bare') for (let i = 0; i < N; i++) await (await services.client.customerApiRoot()).me().get().execute();
    const b = process.cpuUsage(t);
    const us = (c: NodeJS.CpuUsage) => (c.user + c.system) / N;
    console.log(`bare ${us(a).toFixed(2)} µs  ctp ${us(b).toFixed(2)} µs  ratio ${(us(b) / us(a)).toFixed(3)}`);
  }
});
process.exit(0);
