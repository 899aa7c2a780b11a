// Round trips a shopper waits for at sign-in and sign-out (issue 19, item 7): every request to the
// local platform is held for a fixed simulated round trip, so a call's latency divided by it counts
// the round trips it waited for in sequence, and what is still in flight when it returns ran in the
// background.
import { performance } from 'node:perf_hooks';
import { createCtpServices, MemorySessionStorage, runWithCtpSession } from '../src/index';
import { configFor, startServer } from './benchConfig';
import { fmt, table, type Section } from './markdown';

/** The simulated network round trip added to every request (loopback itself is well under 1 ms). */
const RTT_MS = 25;
const PASSWORD = 'Bench-Pa55word!';

interface Request {
  what: string;
  started: number;
  ended?: number;
}

/** `POST /oauth/token (refresh_token)`, `GET /me`: what a request is, never a secret. */
function describe(url: string, init: RequestInit | undefined): string {
  const path = new URL(url).pathname.replace(/\/[0-9a-f-]{36}/g, '/:id');
  const grant = /grant_type=([a-z_]+)/.exec(typeof init?.body === 'string' ? init.body : '')?.[1];
  return `${init?.method ?? 'GET'} ${path}${grant ? ` (${grant})` : ''}`;
}

interface Measured {
  scenario: string;
  ms: number;
  /** Time in which at least one of the call's requests was in flight, before it returned. */
  inFlightMs: number;
  /** Median time of one of its requests (the simulated round trip, plus how late the machine's timers fire). */
  roundTripMs: number;
  waited: Request[];
  background: Request[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Length of the union of the requests' intervals, cut at `until`. */
function union(requests: Request[], until: number): number {
  let total = 0;
  let reach = -Infinity;
  for (const r of [...requests].sort((a, b) => a.started - b.started)) {
    const end = Math.min(r.ended ?? until, until);
    const start = Math.max(r.started, reach);
    if (end > start) total += end - start;
    reach = Math.max(reach, end);
  }
  return total;
}

/** The code paths of every scenario run once, so the measured calls are not the process's first. */
async function warmUp(): Promise<void> {
  const server = await startServer();
  const services = createCtpServices(configFor(server));
  try {
    await runWithCtpSession(new MemorySessionStorage('warm-up'), async () => {
      await (
        await services.client.customerApiRoot()
      )
        .me()
        .carts()
        .post({ body: { currency: 'EUR' } })
        .execute();
      await services.session.login('bench@example.com', PASSWORD);
      await services.session.logout();
      await services.session.settled();
    });
  } finally {
    await services.close();
    await server.stop();
  }
}

async function scenario(name: string, kind: 'sign-in' | 'sign-in from a guest cart' | 'sign-out'): Promise<Measured> {
  const server = await startServer();
  let requests: Request[] = [];
  const held: typeof fetch = async (input, init) => {
    const request: Request = {
      what: describe(String(input instanceof Request ? input.url : input), init),
      started: performance.now(),
    };
    requests.push(request);
    try {
      await new Promise((resolve) => setTimeout(resolve, RTT_MS));
      return await fetch(input, init);
    } finally {
      request.ended = performance.now();
    }
  };
  const services = createCtpServices(configFor(server), { fetch: held });
  const storage = new MemorySessionStorage('shopper');
  try {
    return await runWithCtpSession(storage, async (): Promise<Measured> => {
      if (kind === 'sign-in from a guest cart')
        await (
          await services.client.customerApiRoot()
        )
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
      if (kind === 'sign-out') await services.session.login('bench@example.com', PASSWORD);
      await services.session.settled();
      requests = [];
      const started = performance.now();
      if (kind === 'sign-out') await services.session.logout();
      else await services.session.login('bench@example.com', PASSWORD);
      const returned = performance.now();
      const seen = requests;
      await services.session.settled();
      const done = (r: Request) => r.ended !== undefined && r.ended <= returned;
      return {
        scenario: name,
        ms: returned - started,
        inFlightMs: union(seen, returned),
        roundTripMs: median(seen.map((r) => (r.ended ?? returned) - r.started)),
        waited: seen.filter(done),
        background: seen.filter((r) => !done(r)),
      };
    });
  } finally {
    await services.close();
    await server.stop();
  }
}

export async function signInRoundTrips(): Promise<Section> {
  await warmUp();
  const rows = [
    await scenario('sign-in (no session yet)', 'sign-in'),
    await scenario('sign-in from an anonymous session with a cart', 'sign-in from a guest cart'),
    await scenario('sign-out', 'sign-out'),
  ];
  const list = (rs: Request[]) => rs.map((r) => r.what).join('; ') || '-';
  return {
    title: 'Round trips a shopper waits for at sign-in and sign-out',
    goal: 'reported (the issue sets no number): the round trips each call waits for in sequence, and what runs in the background',
    met: undefined,
    body: table(
      [
        'call',
        'latency ms',
        'of which a request in flight ms',
        'one request ms (median)',
        'round trips waited (in flight ÷ one request)',
        'requests finished before it returned',
        'requests still in flight when it returned (background)',
      ],
      rows.map((r) => [
        r.scenario,
        fmt(r.ms, 1),
        fmt(r.inFlightMs, 1),
        fmt(r.roundTripMs, 1),
        `**${fmt(r.inFlightMs / r.roundTripMs, 1)}**`,
        list(r.waited),
        list(r.background),
      ]),
    ),
    notes: [
      `The strict local platform on 127.0.0.1; every request the library makes is held ${RTT_MS} ms before it is sent (a simulated network round trip, far above loopback's own), so the time in which one of the call's requests was in flight ÷ the median time of one of them counts the round trips it waited for one after another (two requests in parallel count once). The timers fire late on the loaded machine, which is why one request is measured rather than taken as ${RTT_MS} ms; the rest of the latency is the library's and the machine's own time.`,
      'ctp-client default options, MemorySessionStorage; the session was settled (background work done) before each measured call. The integration token the backend sign-in needs is not cached yet in a fresh process, as on an instance that just started.',
    ],
  };
}
