// Latency under load as shoppers feel it (issue 19, item 6): N concurrent shoppers, every 10th of
// whose tokens enters its renewal margin during the run (refresh-ahead: nobody should wait), or
// separately is hard-expired (each such session waits for exactly one refresh round trip).
import { createApiBuilderFromCtpClient } from '@commercetools/platform-sdk';
import * as v2 from '@commercetools/sdk-client-v2';
import { renewalMarginMs } from '../src/auth/renewal';
import { createCtpServices, MemorySessionStorage, runWithCtpSession, type Clock } from '../src/index';
import type { StrictCommercetools } from '../test/support/strict/StrictCommercetools';
import { BENCH_AUTH_TIMEOUT_MS, configFor, startServer, STRICT_CLIENT } from './benchConfig';
import { CallTimer, percentile } from './callTimer';
import type { ChartPoint } from './chart';
import { chartFile } from './chartFiles';
import { fmt, table, type Section } from './markdown';

const SHOPPERS = [100, 1000];
/** Every 10th shopper's token enters its margin (or expires) during the run. */
const EVERY = 10;
/** The clock steps forward this many times during the run, each step taking a third of those tokens over. */
const STEPS = 3;
const WARM_UP = 2;
/** Recorded calls per shopper and side (more than STEPS): few enough that the 10 % of sessions' one call each lies above p99. */
const CALLS = (n: number) => (n <= 100 ? 6 : 4);
/** Runs pooled per N (each with fresh shoppers and server), for enough samples at the smaller N. */
const REPEATS = (n: number) => (n <= 100 ? 3 : 1);
/** Requests in flight at once, both sides together, as an app's HTTP connection pool would allow. */
const POOL = 256;
const PASSWORD = 'Bench-Pa55word!';
const GOAL_P99_ADDED_MS = 1;

type Scenario = 'margin' | 'expired';

/** A frozen clock for the library and the local platform alike, moved forward only by the bench. */
class StepClock implements Clock {
  readonly #start = Date.now();
  offsetMs = 0;
  now(): number {
    return this.#start + this.offsetMs;
  }
}

interface Run {
  bareOwn: number[];
  ctpOwn: number[];
  /** ctp-client own times of the shoppers whose token a step takes into its margin (or past expiry), and of the rest. */
  steppedOwn: number[];
  otherOwn: number[];
  bareTotal: number[];
  ctpTotal: number[];
  /** Own time of the calls in whose context a refresh grant ran, and that grant's time in fetch. */
  refreshed: { own: number; refreshMs: number; refreshes: number; otherAuth: number }[];
  refreshRoundTrips: number[];
  sessions: number;
  refreshGrants: number;
  failed: number;
}

/** A fixed token of the customer for the bare side, straight from the platform's password flow. */
async function bareToken(server: StrictCommercetools, email: string): Promise<string> {
  const response = await fetch(`${server.url}/oauth/${server.projectKey}/customers/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${STRICT_CLIENT.id}:${STRICT_CLIENT.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'password',
      username: email,
      password: PASSWORD,
      scope: `manage_my_profile:${server.projectKey}`,
    }).toString(),
  });
  if (!response.ok) throw new Error(`bare sign-in: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function measure(n: number, scenario: Scenario): Promise<Run> {
  const clock = new StepClock();
  const server = await startServer(() => clock.now());
  const timer = new CallTimer(POOL);
  const services = createCtpServices(configFor(server), {
    fetch: timer.fetch,
    clock,
    authTimeoutMs: BENCH_AUTH_TIMEOUT_MS,
  });
  const lifetime = server.accessTokenTtlSeconds * 1000;
  const margin = renewalMarginMs(lifetime);
  // Step j moves the clock to j * step. Margin: group g's margin begins 1 s before step g, and its
  // token stays valid past the last step. Expired: group g's token expires 1 s before step g, and no
  // step lands inside its margin, so it goes straight from fresh to expired. Everyone else's token,
  // and the bare side's, stay fresh past the last step.
  const step = scenario === 'margin' ? margin / STEPS : 2 * margin;
  const issuedFor = (group: number) =>
    (scenario === 'margin' ? group * step - (lifetime - margin) : group * step - lifetime) - 1_000;
  try {
    const shoppers = Array.from({ length: n }, (_, i) => ({
      email: `shopper-${i}@example.com`,
      storage: new MemorySessionStorage(`shopper-${i}`),
      group: i % EVERY === 0 ? 1 + ((i / EVERY) % STEPS) : 0,
      bare: '',
    }));
    // Each shopper signs in for real (password grant at the strict server) with the clock set to when
    // its token is to have been issued, 50 at a time.
    for (let group = 0; group <= STEPS; group += 1) {
      clock.offsetMs = group === 0 ? 0 : issuedFor(group);
      const members = shoppers.filter((s) => s.group === group);
      for (let i = 0; i < members.length; i += 50) {
        await Promise.all(
          members.slice(i, i + 50).map(async (s) => {
            server.addCustomer(s.email, PASSWORD);
            await runWithCtpSession(s.storage, () => services.session.login(s.email, PASSWORD));
          }),
        );
      }
    }
    clock.offsetMs = 0;
    for (let i = 0; i < n; i += 50)
      await Promise.all(shoppers.slice(i, i + 50).map(async (s) => (s.bare = await bareToken(server, s.email))));

    const calls = CALLS(n);
    const run: Run = {
      bareOwn: [],
      ctpOwn: [],
      steppedOwn: [],
      otherOwn: [],
      bareTotal: [],
      ctpTotal: [],
      refreshed: [],
      refreshRoundTrips: [],
      sessions: shoppers.filter((s) => s.group > 0).length,
      refreshGrants: 0,
      failed: 0,
    };
    const refreshesBefore = server.grants.refresh_token;
    // All shoppers make their first call (the burst of new connections) before any goes on; the
    // release is a burst of its own (every shopper's next call at once), so one more pair goes
    // unrecorded after it. Step j comes as the first shopper reaches its recorded call j: every other
    // shopper is behind it, so every session a step takes over makes at least one recorded call after it.
    let warm = 0;
    let release!: () => void;
    const warmedUp = new Promise<void>((resolve) => (release = resolve));
    let stepped = 0;
    // Each shopper alternates the two sides call by call (which goes first alternates too), so both
    // meet the same load at the same moment.
    await Promise.all(
      shoppers.map(async (s, i) => {
        const client = v2.createClient({
          middlewares: [
            v2.createAuthWithExistingToken(`Bearer ${s.bare}`, { force: true }),
            v2.createHttpClient({ host: server.url, fetch: timer.fetch }),
          ],
        });
        const bare = createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: server.projectKey });
        const sides = {
          bare: () => bare.me().get().execute(),
          ctp: () =>
            runWithCtpSession(s.storage, async () => (await services.client.customerApiRoot()).me().get().execute()),
        };
        for (let c = 0; c < WARM_UP + calls; c += 1) {
          if (c === 1) {
            if (++warm === n) release();
            await warmedUp;
          }
          const record = c >= WARM_UP;
          if (record && stepped < STEPS && c - WARM_UP > stepped) clock.offsetMs = ++stepped * step;
          for (const side of (c + i) % 2 === 0 ? (['bare', 'ctp'] as const) : (['ctp', 'bare'] as const)) {
            try {
              const t = await timer.time(sides[side]);
              const own = t.totalMs - t.apiMs;
              // A step may land while a shopper behind is still in its unrecorded call: its refresh counts all the same.
              if (t.refreshes > 0)
                run.refreshed.push({ own, refreshMs: t.refreshMs, refreshes: t.refreshes, otherAuth: t.otherAuth });
              if (!record) continue;
              run[side === 'bare' ? 'bareOwn' : 'ctpOwn'].push(own);
              if (side === 'ctp') run[s.group > 0 ? 'steppedOwn' : 'otherOwn'].push(own);
              run[side === 'bare' ? 'bareTotal' : 'ctpTotal'].push(t.totalMs);
            } catch {
              run.failed += 1;
            }
          }
        }
      }),
    );
    // Refreshes still running in the background are counted too.
    await services.session.settled();
    run.refreshGrants = server.grants.refresh_token - refreshesBefore;
    run.refreshRoundTrips = timer.refreshRoundTrips;
    return run;
  } finally {
    await services.close();
    await server.stop();
  }
}

/** The runs of one N pooled. */
async function pooled(n: number, scenario: Scenario): Promise<Run> {
  const runs: Run[] = [];
  for (let r = 0; r < REPEATS(n); r += 1) runs.push(await measure(n, scenario));
  const all = <K extends keyof Run>(key: K) => runs.flatMap((r) => r[key] as unknown[]) as Run[K];
  const sum = (key: 'sessions' | 'refreshGrants' | 'failed') => runs.reduce((t, r) => t + r[key], 0);
  return {
    bareOwn: all('bareOwn'),
    ctpOwn: all('ctpOwn'),
    steppedOwn: all('steppedOwn'),
    otherOwn: all('otherOwn'),
    bareTotal: all('bareTotal'),
    ctpTotal: all('ctpTotal'),
    refreshed: all('refreshed'),
    refreshRoundTrips: all('refreshRoundTrips'),
    sessions: sum('sessions'),
    refreshGrants: sum('refreshGrants'),
    failed: sum('failed'),
  };
}

const ms = (v: number) => fmt(v, 2);
/** How many refresh round trips the calls that refreshed waited, by the median of own time ÷ their refresh's time in fetch. */
const roundTrips = (r: Run) =>
  percentile(
    r.refreshed.map((c) => c.own / c.refreshMs),
    50,
  );
const added = (r: Run, p: number) => percentile(r.ctpOwn, p) - percentile(r.bareOwn, p);
/** The columns both scenarios share. */
const latencyCells = (n: number, r: Run) => [
  fmt(n),
  fmt(r.ctpOwn.length),
  `${ms(percentile(r.bareTotal, 50))} / ${ms(percentile(r.bareTotal, 99))}`,
  `${ms(percentile(r.ctpTotal, 50))} / ${ms(percentile(r.ctpTotal, 99))}`,
  `${ms(percentile(r.bareOwn, 50))} / ${ms(percentile(r.bareOwn, 99))}`,
  `${ms(percentile(r.ctpOwn, 50))} / ${ms(percentile(r.ctpOwn, 99))}`,
  `**${ms(added(r, 50))}** / **${ms(added(r, 99))}**`,
];
const LATENCY_HEADER = [
  'shoppers',
  'calls per side',
  'bare end to end p50 / p99 ms',
  'ctp-client end to end p50 / p99 ms',
  'bare own p50 / p99 ms',
  'ctp-client own p50 / p99 ms',
  'added p50 / p99 ms',
];

const COMMON_NOTES = (scenario: Scenario) => [
  `N shoppers, each signed in for real (password grant at the strict local server on 127.0.0.1, in the bench's process), each making ${SHOPPERS.map((n) => `${WARM_UP} + ${CALLS(n)} (N=${n}, ${REPEATS(n)} run${REPEATS(n) > 1 ? 's' : ''} pooled)`).join(', ')} pairs of sequential GET /me calls, all N concurrently; the first ${WARM_UP} pairs unrecorded (every shopper waits for the others after the first, whose new connections are a burst; the second is the burst of their release). Each shopper alternates a bare call and a ctp-client call (which goes first alternates), so both sides meet the same load at the same moment.`,
  "ctp-client: customerApiRoot() + the call inside the shopper's session (MemorySessionStorage), default engine and options. Bare: sdk-client-v2 createClient with createAuthWithExistingToken (a token of the same customer, never expiring during the run) + createHttpClient.",
  `One injected clock, frozen, for the library (createCtpServices' clock option) and the local platform: every 10th shopper signed in with the clock set back so that its token ${scenario === 'margin' ? 'enters its renewal margin (not expired)' : 'has expired (at the library and at the platform alike; never inside its margin before)'} when the clock steps forward; it steps ${STEPS} times, as the first shopper reaches its recorded call 1, 2 and 3 (all shoppers past their warm-up), each step taking a third of those sessions over. No real sleep.`,
  `Own time = a call's latency minus the time its API request spent in fetch (a pool of ${POOL} requests in flight shared by both sides, queued first come first served, then HTTP and the platform's work): what the client adds. A refresh grant the call waits for is not taken out: it is what the shopper waits for. added = ctp-client own minus bare own at the same percentile. End to end includes the queue: at N=1,000 on 2 cores it is mostly queue (Little's law).`,
];

export async function shopperLatency(): Promise<Section[]> {
  const marginRuns: Run[] = [];
  for (const n of SHOPPERS) marginRuns.push(await pooled(n, 'margin'));
  const expiredRuns: Run[] = [];
  for (const n of SHOPPERS) expiredRuns.push(await pooled(n, 'expired'));

  const points: ChartPoint[] = SHOPPERS.flatMap((n, i) => [
    { x: n, y: Number(added(marginRuns[i]!, 50).toFixed(2)), series: 'margin: added p50' },
    { x: n, y: Number(added(marginRuns[i]!, 99).toFixed(2)), series: 'margin: added p99' },
    { x: n, y: Number(added(expiredRuns[i]!, 99).toFixed(2)), series: 'expired: added p99' },
  ]);
  const chart = await chartFile('shopper-added-latency.svg', {
    title: 'Added latency against concurrent shoppers (10 % of tokens in their margin, or expired)',
    x: { title: 'concurrent shoppers', scale: 'log' },
    // symlog: the added figures run from tenths of a millisecond to seconds, and can be negative (noise).
    y: { title: 'ctp-client own minus bare own (ms, symlog)', scale: 'symlog' },
    points,
  });

  const at100 = marginRuns[SHOPPERS.indexOf(100)]!;
  const marginSection: Section = {
    title: `Latency under load with refresh-ahead: 10 % of tokens entering their renewal margin (${SHOPPERS.join(', ')} shoppers)`,
    goal: `p99 added at most ${GOAL_P99_ADDED_MS} ms at 100 shoppers (issue 19, item 6: inside the margin the current token serves the call and one refresh runs in the background), one refresh grant per such session, no failed call`,
    met:
      added(at100, 99) <= GOAL_P99_ADDED_MS &&
      marginRuns.every((r) => r.failed === 0 && r.refreshGrants === r.sessions),
    body: `${table(
      [
        ...LATENCY_HEADER,
        'sessions in margin',
        "ctp-client own p99 ms: their calls / the other shoppers' calls",
        'refresh grants',
        'calls that waited in a refresh: count, own p50 ms',
        'failed calls',
      ],
      SHOPPERS.map((n, i) => {
        const r = marginRuns[i]!;
        const waited = r.refreshed.filter((c) => c.own >= c.refreshMs);
        return [
          ...latencyCells(n, r),
          fmt(r.sessions),
          `${ms(percentile(r.steppedOwn, 99))} / ${ms(percentile(r.otherOwn, 99))}`,
          fmt(r.refreshGrants),
          `${waited.length}, ${
            waited.length
              ? ms(
                  percentile(
                    waited.map((c) => c.own),
                    50,
                  ),
                )
              : '-'
          }`,
          r.failed,
        ];
      }),
    )}\n\n${chart}`,
    notes: [
      ...COMMON_NOTES('margin'),
      "A call waited in a refresh when a refresh grant ran in its async context and its own time was at least that grant's time in fetch. With refresh-ahead the refresh runs in the background and no call waits; a library that refreshes inside the call (main before refresh-ahead) makes each of these sessions' first call in its margin wait a whole refresh round trip, which at 10 % of sessions and a few calls each lies above p99. The calls of the sessions in margin against the other shoppers' calls tell whether the refreshes cost their shoppers anything: what both share is the library's own work per call, queued on one event loop behind the other shoppers' (see the per-call guard).",
    ],
  };

  const expiredSection: Section = {
    title: `Latency under load: 10 % of tokens hard-expired (${SHOPPERS.join(', ')} shoppers)`,
    goal: "each expired session costs exactly one refresh round trip: refresh grants == expired sessions, one grant in each call that refreshed, that call's own time about one refresh round trip (median of own ÷ its refresh's time in fetch at most 1.5), no failed call",
    met: expiredRuns.every(
      (r) =>
        r.failed === 0 &&
        r.refreshGrants === r.sessions &&
        r.refreshed.length === r.sessions &&
        r.refreshed.every((c) => c.refreshes === 1) &&
        roundTrips(r) <= 1.5,
    ),
    body: table(
      [
        ...LATENCY_HEADER,
        'expired sessions',
        'refresh grants',
        'calls that refreshed (grants in each)',
        'their own p50 ms',
        'refresh round trip p50 / p99 ms',
        'own ÷ refresh round trip (median)',
        'other token-endpoint requests in those calls',
        'failed calls',
      ],
      SHOPPERS.map((n, i) => {
        const r = expiredRuns[i]!;
        const perCall = [...new Set(r.refreshed.map((c) => c.refreshes))].join(', ') || '-';
        return [
          ...latencyCells(n, r),
          fmt(r.sessions),
          fmt(r.refreshGrants),
          `${fmt(r.refreshed.length)} (${perCall})`,
          ms(
            percentile(
              r.refreshed.map((c) => c.own),
              50,
            ),
          ),
          `${ms(percentile(r.refreshRoundTrips, 50))} / ${ms(percentile(r.refreshRoundTrips, 99))}`,
          `**${roundTrips(r).toFixed(2)}**`,
          fmt(r.refreshed.reduce((t, c) => t + c.otherAuth, 0)),
          r.failed,
        ];
      }),
    ),
    notes: [
      ...COMMON_NOTES('expired'),
      "A refresh round trip is the refresh grant's time in fetch (the pool's queue, HTTP and the platform's work), measured on the same run; a call that refreshed is one in whose async context a refresh grant ran. Other token-endpoint requests in those calls: revocations or grants started in the call's async context (whether the call waited for them shows in own ÷ refresh round trip: about 2 when it waited for one more round trip).",
    ],
  };
  return [marginSection, expiredSection];
}
