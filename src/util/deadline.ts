/** setTimeout's limit: a longer delay is clamped by Node to 1 ms, which would abort at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** True for a timeout `deadline` accepts: above 0 and at most 2^31-1 ms. */
export function isValidTimeoutMs(timeoutMs: number): boolean {
  return timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS;
}

export interface Deadline {
  /** Aborts at the deadline or when the caller's signal aborts, whichever is first. */
  readonly signal: AbortSignal;
  /** True once the deadline (not the caller) aborted the signal. */
  readonly timedOut: boolean;
  /** Stops the timer; call it in `finally` whether the work succeeded or not. */
  clear(): void;
  /** Aborts the signal now, with `reason`, as the caller's signal would (timedOut stays false). */
  abort(reason: unknown): void;
}

/**
 * One deadline for one request: a timeout merged with an optional caller signal. The timer is
 * setTimeout-based rather than AbortSignal.timeout so fake timers drive it in tests, and aborting
 * the signal given to fetch makes undici abort the request and release its socket.
 *
 * @throws RangeError when timeoutMs is not above 0 and at most 2^31-1 (configuration should check it first).
 */
export function deadline(timeoutMs: number, callerSignal?: AbortSignal): Deadline {
  if (!isValidTimeoutMs(timeoutMs)) {
    throw new RangeError(`timeoutMs must be a number above 0 and at most ${MAX_TIMEOUT_MS}`);
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The deadline passed.', 'TimeoutError'));
  }, timeoutMs);
  const signal = callerSignal === undefined ? controller.signal : AbortSignal.any([controller.signal, callerSignal]);
  return {
    signal,
    get timedOut() {
      return timedOut;
    },
    clear: () => clearTimeout(timer),
    abort: (reason) => controller.abort(reason),
  };
}
