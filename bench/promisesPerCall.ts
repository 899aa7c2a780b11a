// Counts the async resources (promises) one call creates, by an async_hooks init hook: a measure of
// the per-call path that does not move with the machine's load (not part of npm run bench):
//   node --import tsx bench/promisesPerCall.ts            # ENGINE=ts-client for the other engine
// bare: the engine's bare builder; bareasync: the same behind one await of a resolved promise (the
// floor of any root handed out as a promise); exec: a ctp-client builder already obtained; full:
// customerApiRoot() + call, in a request context with a correlation ID and a chain deadline.
import { createHook } from 'node:async_hooks';
import { createApiBuilderFromCtpClient } from '@commercetools/platform-sdk';
import * as v2 from '@commercetools/sdk-client-v2';
import * as tsClient from '@commercetools/ts-client';
import { createCtpConfig } from '../src/config/createCtpConfig';
import { createCtpServices } from '../src/module/createCtpServices';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../src/session/sessionContext';
import { runWithCorrelationId, withApiCallOptions } from '../src/client/apiCallContext';
const HOST = 'http://127.0.0.1:9';
const body = JSON.stringify({ id: 'customer-1', version: 1, email: 'a@example.com' });
const stub = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
const engine = (process.env.ENGINE ?? 'sdk-client-v2') as 'sdk-client-v2' | 'ts-client';
const config = createCtpConfig({ projectKey: 'bench', clientId: 'id', clientSecret: 'secret', authUrl: HOST, apiUrl: HOST });
const services = createCtpServices(config, { fetch: stub, api: { engine } });
const storage = new MemorySessionStorage('s', { kind: 'customer', accessToken: 'access-token-for-bench', refreshToken: 'refresh-token-for-bench', issuedAt: Date.now(), expiresAt: Date.now() + 48 * 3_600_000, scopes: ['manage_my_profile:bench'], customerId: 'customer-1' });
const client = engine === 'ts-client'
  ? tsClient.createClient({ middlewares: [tsClient.createAuthMiddlewareForExistingTokenFlow('Bearer access-token-for-bench', { force: true }), tsClient.createHttpMiddleware({ host: HOST, httpClient: stub as any })] })
  : v2.createClient({ middlewares: [v2.createAuthWithExistingToken('Bearer access-token-for-bench', { force: true }), v2.createHttpClient({ host: HOST, fetch: stub })] });
const bare = createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: 'bench' });
let held: any;
const tasks: Record<string, () => Promise<unknown>> = {
  bare: () => bare.me().get().execute(),
  bareasync: async () => (await Promise.resolve(bare)).me().get().execute(),
  exec: () => held.me().get().execute(),
  full: async () => (await services.client.customerApiRoot()).me().get().execute(),
};
let n = 0; const types = new Map<string, number>();
const hook = createHook({ init(_id, type) { n++; types.set(type, (types.get(type) ?? 0) + 1); } });
await runWithCtpSession(storage, () => runWithCorrelationId('bench-request-0001', () => withApiCallOptions({ timeoutMs: 3_600_000 }, async () => {
  held = await services.client.customerApiRoot();
  for (const f of Object.values(tasks)) for (let i = 0; i < 100; i++) await f();
  for (const [name, f] of Object.entries(tasks)) {
    n = 0; types.clear(); hook.enable();
    for (let i = 0; i < 1000; i++) await f();
    hook.disable();
    console.log(engine, name, (n / 1000).toFixed(2), 'async resources per call', JSON.stringify(Object.fromEntries([...types].map(([k, v]) => [k, v / 1000]))));
  }
})));
await services.close(); process.exit(0);
