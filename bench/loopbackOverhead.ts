import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_ENGINE_NAMES, type ApiEngineName } from '../src/client/ApiEngine';
import { runWithCorrelationId, withApiCallOptions } from '../src/client/apiCallContext';
import { createCtpConfig } from '../src/config/createCtpConfig';
import { createCtpServices } from '../src/module/createCtpServices';
import { runWithCtpSession } from '../src/session/sessionContext';
import { bareBuilder, benchSession } from './perCallSetup';
import { median } from './cpuRatio';
import { fmt, table, type Section } from './markdown';

const ROUNDS = 15;
const CALLS_PER_ROUND = 1_500;
const body = JSON.stringify({ id: 'customer-1', version: 1, email: 'a@example.com' });

/** A minimal API on 127.0.0.1: the same answer to every request, so both sides pay the same server. */
async function startApi(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function wallPerCall(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS_PER_ROUND; i += 1) await fn();
  return Number(process.hrtime.bigint() - start) / 1_000 / CALLS_PER_ROUND;
}

/**
 * Over loopback HTTP (Node's fetch, a local server): a bare builder against customerApiRoot() plus
 * a call, alternating rounds. Here the library's own work is a small part of a call, and the
 * round-to-round spread of the ratio shows the noise it has to stay within.
 */
async function forEngine(engine: ApiEngineName): Promise<string[]> {
  const { server, url } = await startApi();
  const config = createCtpConfig({ projectKey: 'bench', clientId: 'id', clientSecret: 'secret', authUrl: url, apiUrl: url });
  const services = createCtpServices(config, { api: { engine } });
  const storage = benchSession();
  const bare = bareBuilder(engine, url, fetch);
  const tasks = [() => bare.me().get().execute(), async () => (await services.client.customerApiRoot()).me().get().execute()];
  const ratios: number[] = [];
  const bareUs: number[] = [];
  const ctpUs: number[] = [];
  try {
    await runWithCtpSession(storage, () =>
      runWithCorrelationId('bench-request-0001', () =>
        withApiCallOptions({ timeoutMs: 3_600_000 }, async () => {
          await wallPerCall(tasks[0]!);
          await wallPerCall(tasks[1]!);
          for (let round = 0; round < ROUNDS; round += 1) {
            const first = round % 2;
            const a = await wallPerCall(tasks[first]!);
            const b = await wallPerCall(tasks[1 - first]!);
            const [bareTime, ctpTime] = first === 0 ? [a, b] : [b, a];
            bareUs.push(bareTime);
            ctpUs.push(ctpTime);
            ratios.push(ctpTime / bareTime);
          }
        }),
      ),
    );
  } finally {
    await services.close();
    await new Promise((resolve) => server.close(resolve));
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return [engine, fmt(median(bareUs), 1), fmt(median(ctpUs), 1), median(ratios).toFixed(3), `${q(0.25).toFixed(3)}-${q(0.75).toFixed(3)}`, `${sorted[0]!.toFixed(3)}-${sorted.at(-1)!.toFixed(3)}`];
}

export async function loopbackOverhead(): Promise<Section> {
  const rows: string[][] = [];
  for (const engine of API_ENGINE_NAMES) rows.push(await forEngine(engine));
  return {
    title: 'Per-call overhead over loopback HTTP',
    goal: "the median ratio (ctp-client ÷ bare builder, wall time per call) within the rounds' own spread (its interquartile range includes 1)",
    met: rows.every((r) => {
      const [low, high] = r[4]!.split('-').map(Number);
      return low! <= 1 && 1 <= high! * 1.0001;
    }) || rows.every((r) => Number(r[3]) <= 1.05),
    body: table(['engine', 'bare µs per call (median)', 'ctp-client µs per call (median)', 'ratio (median of rounds)', 'ratio interquartile range', 'ratio min-max'], rows),
    notes: [
      `Node's fetch against a local node:http server on 127.0.0.1 answering the same JSON to every request; ${ROUNDS} alternating rounds of ${fmt(CALLS_PER_ROUND)} sequential calls per side, after one warm-up round each; wall time (process.hrtime).`,
      'ctp-client: customerApiRoot() in a request context (correlation ID, chain deadline), a MemorySessionStorage session, retries armed, telemetry off. Bare: the engine\'s existing-token and HTTP middlewares with the same fetch.',
      'Met when the interquartile range of the round ratios includes 1 (the difference is within the run\'s noise), or the median ratio is at most 1.05.',
    ],
  };
}
