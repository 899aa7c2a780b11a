import { performance } from 'node:perf_hooks';
import { createApiBuilderFromCtpClient } from '@commercetools/platform-sdk';
import * as v2 from '@commercetools/sdk-client-v2';
import { createCtpServices } from '../src/module/createCtpServices';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../src/session/sessionContext';
import { configFor, startServer } from './benchConfig';
import type { ChartPoint } from './chart';
import { chartFile } from './chartFiles';
import { fmt, table, type Section } from './markdown';

const SHOPPERS = [10, 100, 1000];
/** Every 10th shopper's token expires halfway through its calls in each ctp-client round. */
const EXPIRING_EVERY = 10;
/** Recorded rounds of callsPerShopper pairs, after WARM_UP pairs per shopper. */
const ROUNDS = 2;
const WARM_UP = 3;
const PASSWORD = 'Bench-Pa55word!';

/** At least 2,000 calls per side a round (p99 on at least 20 samples a round), and at least 4 per shopper. */
const callsPerShopper = (shoppers: number) => Math.max(4, Math.ceil(2000 / shoppers));
/** Requests in flight at once, both sides together, as an app's HTTP connection pool would allow. */
const POOL = 256;

/**
 * fetch with at most `limit` requests in flight, the others queued for a slot, each body read
 * before its slot is freed: a bounded connection pool. The global fetch's pool is unbounded, and
 * 1,000 sockets opened at once overflow the server's listen backlog (511): the SYN retries
 * (1 + 2 + 4 + ... s) would be measured instead of the client.
 */
function pooledFetch(limit: number): typeof fetch {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  return async (input, init) => {
    if (inFlight >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else inFlight += 1;
    try {
      const response = await fetch(input, init);
      const body = await response.arrayBuffer();
      return new Response(response.status === 204 || response.status === 304 ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      // The slot passes straight to the next waiter, so inFlight never exceeds the limit.
      const next = waiting.shift();
      if (next) next();
      else inFlight -= 1;
    }
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Shopper {
  storage: MemorySessionStorage;
  /** The bare side's own access token (a second sign-in): expiring the session's token leaves it valid. */
  bareToken: string;
  expiring: boolean;
}

interface Measured {
  shoppers: number;
  calls: number;
  bare: { p50: number; p99: number };
  ctp: { p50: number; p99: number };
  refreshes: number;
  expectedRefreshes: number;
  failed: number;
}

async function measure(shoppers: number): Promise<Measured> {
  const server = await startServer();
  // One first-come-first-served pool for both sides: with a pool per side, at N=1,000 whichever
  // side's queue happened to drain faster had the lower p50 (either side, from run to run).
  const pooled = pooledFetch(POOL);
  const fetches = { bare: pooled, ctp: pooled };
  const services = createCtpServices(configFor(server), { fetch: fetches.ctp });
  try {
    // Each shopper signs in for real (password grant at the strict server) into its own session.
    const all: Shopper[] = [];
    for (let i = 0; i < shoppers; i += 50) {
      const batch = Array.from({ length: Math.min(50, shoppers - i) }, async (_, j) => {
        const email = `shopper-${i + j}@example.com`;
        server.addCustomer(email, PASSWORD);
        const storage = new MemorySessionStorage(`shopper-${i + j}`);
        await runWithCtpSession(storage, () => services.session.login(email, PASSWORD));
        const bare = await runWithCtpSession(new MemorySessionStorage(), () => services.session.login(email, PASSWORD));
        return { storage, bareToken: bare.accessToken, expiring: (i + j) % EXPIRING_EVERY === 0 };
      });
      all.push(...(await Promise.all(batch)));
    }
    const k = callsPerShopper(shoppers);
    const latencies = { bare: [] as number[], ctp: [] as number[] };
    let failed = 0;

    // Each shopper alternates the two sides call by call (which goes first alternates too), so both
    // meet the same load at the same moment: on a shared machine, separate runs of each side
    // differed by more than the library's own cost. One continuous run with no barrier between
    // rounds: all N shoppers starting at once is a burst of new connections (seconds at N=100 on a
    // loaded machine), so each shopper's first WARM_UP pairs are not recorded.
    const refreshesBefore = server.grants.refresh_token;
    await Promise.all(
      all.map(async (s, i) => {
        // The floor: the same call from a bare SDK builder holding a fixed token of the shopper.
        const client = v2.createClient({ middlewares: [v2.createAuthWithExistingToken(`Bearer ${s.bareToken}`, { force: true }), v2.createHttpClient({ host: server.url, fetch: fetches.bare })] });
        const bare = createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: server.projectKey });
        const sides = {
          bare: () => bare.me().get().execute(),
          // ctp-client: customerApiRoot() + the call in the shopper's session.
          ctp: () => runWithCtpSession(s.storage, async () => (await services.client.customerApiRoot()).me().get().execute()),
        };
        for (let c = 0; c < WARM_UP + ROUNDS * k; c += 1) {
          const record = c >= WARM_UP;
          // An expiring shopper's token runs out halfway through each round (at the server and in its
          // stored session): that ctp-client call waits for a refresh; the bare builder's token stays.
          if (s.expiring && record && (c - WARM_UP) % k === Math.floor(k / 2)) {
            const current = (await s.storage.get())!;
            const expired = Date.now() - 1_000;
            const atServer = server.accessTokens.get(current.accessToken);
            if (atServer) atServer.expiresAt = expired;
            // issuedAt moved back too: a stored token that expires before it was issued is refused
            // (CTP_STORED_TOKEN_INVALID), and a sign-in less than a second ago would make one.
            await s.storage.set({ ...current, issuedAt: Math.min(current.issuedAt, expired - 60_000), expiresAt: expired });
          }
          for (const side of (c + i) % 2 === 0 ? (['bare', 'ctp'] as const) : (['ctp', 'bare'] as const)) {
            const started = performance.now();
            try {
              await sides[side]();
              if (record) latencies[side].push(performance.now() - started);
            } catch {
              failed += 1;
            }
          }
        }
      }),
    );
    const stats = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    };
    return {
      shoppers,
      calls: k * shoppers,
      bare: stats(latencies.bare),
      ctp: stats(latencies.ctp),
      refreshes: server.grants.refresh_token - refreshesBefore,
      expectedRefreshes: ROUNDS * all.filter((s) => s.expiring).length,
      failed,
    };
  } finally {
    await services.close();
    await server.stop();
  }
}

export async function shopperLatency(): Promise<Section> {
  const results: Measured[] = [];
  for (const n of SHOPPERS) results.push(await measure(n));
  const ms = (v: number) => fmt(v, 2);
  const points: ChartPoint[] = results.flatMap((r) => [
    { x: r.shoppers, y: Number((r.ctp.p50 - r.bare.p50).toFixed(2)), series: 'added p50' },
    { x: r.shoppers, y: Number((r.ctp.p99 - r.bare.p99).toFixed(2)), series: 'added p99' },
  ]);
  const chart = await chartFile('shopper-added-latency.svg', {
    title: 'Added latency against concurrent shoppers (10 % of tokens expire)',
    x: { title: 'concurrent shoppers', scale: 'log' },
    // symlog: the added figures run from about a millisecond to seconds, and can be negative (noise).
    y: { title: 'ctp-client minus bare SDK builder (ms, symlog)', scale: 'symlog' },
    points,
  });
  return {
    title: `Added latency against concurrent shoppers (${SHOPPERS.join(', ')}), 10 % of tokens expiring`,
    goal: 'every call succeeds and every expiring token is refreshed (the added latency is reported; the issue sets no number for it)',
    met: results.every((r) => r.failed === 0 && r.refreshes >= r.expectedRefreshes),
    body: `${table(
      ['shoppers', 'calls per side a round', 'bare p50 ms', 'ctp-client p50 ms', 'added p50 ms', 'bare p99 ms', 'ctp-client p99 ms', 'added p99 ms', 'refreshes (expected)', 'failed calls'],
      results.map((r) => [
        fmt(r.shoppers),
        fmt(r.calls),
        ms(r.bare.p50),
        ms(r.ctp.p50),
        ms(r.ctp.p50 - r.bare.p50),
        ms(r.bare.p99),
        ms(r.ctp.p99),
        ms(r.ctp.p99 - r.bare.p99),
        `${r.refreshes} (${r.expectedRefreshes})`,
        r.failed,
      ]),
    )}\n\n${chart}`,
    notes: [
      `Over loopback HTTP to the strict local server, which runs in the bench's own process (both sides share its event loop and the machine alike). N shoppers each signed in (real password grant), each making ${SHOPPERS.map((n) => `${callsPerShopper(n)} (N=${n})`).join(', ')} pairs of sequential GET /me calls a round, all N concurrently.`,
      `ctp-client: customerApiRoot() + call inside the shopper's session (MemorySessionStorage), default engine and options. Bare: sdk-client-v2 createClient with createAuthWithExistingToken (a token of the same shopper from a second sign-in) + createHttpClient.`,
      `Both sides' fetch share one pool of ${POOL} requests in flight (the rest queue first come first served, as behind an app's connection pool; the queue wait is part of the latency, alike for both sides): with the global fetch's unbounded pool, 1,000 connections opened at once overflow the listen backlog and the kernel's SYN retries (up to ~31 s) were measured instead.`,
      `Every shopper alternates a bare call and a ctp-client call (which goes first alternates), so both sides meet the same load at the same moment; N concurrent shoppers keep about N calls in flight.`,
      `Every ${EXPIRING_EVERY}th shopper's token is expired halfway through its calls in each recorded round (at the server and in its stored session), so that ctp-client call includes the refresh grant; the bare builder's fixed token never expires (it is the floor).`,
      `N shoppers with no think time keep about N calls in flight: past what the machine serves, latency grows with N for both sides alike (Little's law), so added p50/p99 at large N is the library's extra work per call multiplied by the queue. Refreshes above the expected count (seen only at N=1,000 while developing this bench, where calls waited longer than the auth client's 10 s timeout) were not investigated further; no call failed.`,
      `Latency per call from the caller's side (performance.now()); percentiles over ${ROUNDS} rounds per shopper, run back to back after ${WARM_UP} unrecorded warm-up pairs (starting N shoppers at once is a burst of new connections that took seconds to drain at N=100 on the loaded machine). added = ctp-client minus bare at the same percentile.`,
    ],
  };
}
