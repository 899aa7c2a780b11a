import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

/** What one measured call spent inside fetch, by kind of request. */
export interface CallTimes {
  /** ms inside fetch for API requests (pool queue, HTTP, the local platform's own work). */
  apiMs: number;
  /** ms inside fetch for refresh grants made in this call's async context. */
  refreshMs: number;
  refreshes: number;
  /** Other token-endpoint requests (revocations, grants) made in this call's async context. */
  otherAuth: number;
}

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
      return new Response(response.status === 204 || response.status === 304 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      // The slot passes straight to the next waiter, so inFlight never exceeds the limit.
      const next = waiting.shift();
      if (next) next();
      else inFlight -= 1;
    }
  };
}

const urlOf = (input: Parameters<typeof fetch>[0]) =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
const isRefresh = (init: RequestInit | undefined) =>
  typeof init?.body === 'string' && init.body.includes('grant_type=refresh_token');

/**
 * One pooled fetch for both sides of a comparison, which charges the time each request spends in it
 * to the measured call whose async context made it (AsyncLocalStorage follows the SDK's and the
 * library's awaits to their fetch). A call's own time is its latency minus its API requests' time in
 * fetch: what the client adds, with the queue and the platform's work (alike for both sides) taken out.
 */
export class CallTimer {
  readonly #context = new AsyncLocalStorage<CallTimes>();
  readonly #pooled: typeof fetch;
  /** Every refresh grant's time in fetch, whichever context made it. */
  readonly refreshRoundTrips: number[] = [];

  constructor(poolSize: number) {
    this.#pooled = pooledFetch(poolSize);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const started = performance.now();
    try {
      return await this.#pooled(input, init);
    } finally {
      const ms = performance.now() - started;
      const times = this.#context.getStore();
      if (!urlOf(input).includes('/oauth/')) {
        if (times) times.apiMs += ms;
      } else if (isRefresh(init)) {
        this.refreshRoundTrips.push(ms);
        if (times) {
          times.refreshMs += ms;
          times.refreshes += 1;
        }
      } else if (times) {
        times.otherAuth += 1;
      }
    }
  };

  /** Runs `call`, returning its latency and what it spent in fetch. */
  async time(call: () => Promise<unknown>): Promise<CallTimes & { totalMs: number }> {
    const times: CallTimes = { apiMs: 0, refreshMs: 0, refreshes: 0, otherAuth: 0 };
    const started = performance.now();
    await this.#context.run(times, call);
    return { ...times, totalMs: performance.now() - started };
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
