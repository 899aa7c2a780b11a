// Run by bench/perCallNodes.ts under each Node version (not on its own): the per-call CPU ratio of
// customerApiRoot() + call against the bare builder of each engine, as in bench/perCallOverhead.ts,
// printed as one JSON line.
import { API_ENGINE_NAMES } from '../src/client/ApiEngine';
import { runWithCorrelationId, withApiCallOptions } from '../src/client/apiCallContext';
import { createCtpConfig } from '../src/config/createCtpConfig';
import { createCtpServices } from '../src/module/createCtpServices';
import { runWithCtpSession } from '../src/session/sessionContext';
import { bareBuilder, benchSession } from './perCallSetup';
import { cpuRatio } from './cpuRatio';

const HOST = 'http://127.0.0.1:9';
const body = JSON.stringify({ id: 'customer-1', version: 1, email: 'a@example.com' });
const stub = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
const PAIRS = Number(process.env.PAIRS ?? 40);
const CALLS = 500;

const results: Record<string, unknown> = {};
for (const engine of API_ENGINE_NAMES) {
  const config = createCtpConfig({ projectKey: 'bench', clientId: 'id', clientSecret: 'secret', authUrl: HOST, apiUrl: HOST });
  const services = createCtpServices(config, { fetch: stub, api: { engine } });
  const storage = benchSession();
  const bare = bareBuilder(engine, HOST, stub);
  const bareCall = () => bare.me().get().execute();
  const ctpCall = async () => (await services.client.customerApiRoot()).me().get().execute();
  const awaited = async () => (await Promise.resolve(bare)).me().get().execute();
  // As a datasource's calls run: inside one request's context, with a correlation ID and a chain deadline.
  const ratios = await runWithCtpSession(storage, () =>
    runWithCorrelationId('bench-request-0001', () =>
      withApiCallOptions({ timeoutMs: 3_600_000 }, async () => {
        for (let i = 0; i < 3_000; i += 1) await ctpCall();
        for (let i = 0; i < 3_000; i += 1) await bareCall();
        return { ctp: await cpuRatio(bareCall, ctpCall, PAIRS, CALLS), floor: await cpuRatio(bareCall, awaited, PAIRS, CALLS) };
      }),
    ),
  );
  await services.close();
  results[engine] = {
    bare: ratios.ctp.base,
    ctp: ratios.ctp.measured,
    ratio: ratios.ctp.ratio,
    added: ratios.ctp.added,
    floorRatio: ratios.floor.ratio,
    floorAdded: ratios.floor.added,
  };
}
process.stdout.write(`${JSON.stringify({ node: process.version, results })}\n`);
process.exit(0);
