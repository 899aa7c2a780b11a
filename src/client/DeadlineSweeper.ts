import { setMaxListeners } from 'node:events';
import type { FetchLike } from '../auth/AuthTransport';

/** The calls whose deadline falls into one tick: they share one AbortController, aborted together. */
interface Bucket {
  readonly index: number;
  /** Its signal is every member request's: aborting it makes undici close their sockets. */
  readonly controller: AbortController;
  readonly calls: Set<Call>;
}

interface Call {
  readonly bucket: Bucket;
  /** Fails the caller waiting for the answer's head. */
  fail: (error: Error) => void;
}

/** What the caller does with the answer or the failure, inside the sweeper's own promise. */
export interface AnswerHandlers {
  /** e.g. the retry decision on a status; may return a promise. */
  onAnswer(response: Response): Response | Promise<Response>;
  /** e.g. the retry decision on a failure, timeout included; may return a promise or throw. */
  onFailure(error: unknown): Response | Promise<Response>;
}

const ignore = () => undefined;

/** A call's deadline passed (the sweeper aborted its request). */
export class ApiDeadlineError extends Error {
  override readonly name = 'TimeoutError';
}

/** A call was cancelled: its caller's AbortSignal fired, or the client was closed. */
export class ApiCancelledError extends Error {
  override readonly name = 'AbortError';
}

/** Settles with what `failure` makes of `error`: its answer, its promise, or what it throws. */
function settle(resolve: (value: Response | Promise<Response>) => void, reject: (error: unknown) => void, handlers: AnswerHandlers, error: unknown): void {
  try {
    resolve(handlers.onFailure(error));
  } catch (thrown) {
    reject(thrown);
  }
}

/**
 * Per-call deadlines for API requests that really cancel, at almost no cost per call. The calls
 * whose deadline falls into the same tick share one AbortController, passed as the fetch `signal`;
 * one unref'd interval aborts a tick's controller once its last deadline has passed, which makes
 * undici close those requests' sockets, and fails their callers at the same moment (even through a
 * custom fetch that ignores the signal). A call is at most two ticks late.
 *
 * Why shared: on Node 20, creating an AbortSignal costs about 7 µs, more than the rest of the
 * library's per-call work together, and a timer per call costs more still (bench/). A tick's
 * controller is made once per tick with traffic, and dropped as soon as its calls have their answer.
 *
 * The deadline runs until the answer's head (status and headers), as undici's headersTimeout does;
 * a body that stalls after it is left to undici's bodyTimeout. Covering the body too would need a
 * view of each Response (measured: +5 % per call, past the overhead goal), and aborting an error
 * answer's body would make the SDK, which reads it without a catch, raise an unhandled rejection.
 */
export class DeadlineSweeper {
  readonly #buckets = new Map<number, Bucket>();
  /** The bucket the last call joined: consecutive calls almost always share it. */
  #current: Bucket | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly tickMs = 100,
  ) {}

  /**
   * `fetch(input, init)` with an abort signal, aborted and failed with an ApiDeadlineError if no
   * answer came within `timeoutMs`. With a caller's `signal`, aborting it aborts the request too and
   * fails it with an ApiCancelledError: only then is a signal combined (AbortSignal.any), so calls
   * without one keep the shared tick signal alone.
   */
  fetch(fetch: FetchLike, input: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal, handlers?: AnswerHandlers): Promise<Response> {
    if (signal?.aborted === true) {
      const error = new ApiCancelledError('The API call was cancelled through its AbortSignal', { cause: signal.reason });
      return handlers === undefined ? Promise.reject(error) : new Promise((resolve) => resolve(handlers.onFailure(error)));
    }
    const bucket = this.#bucketFor(this.now() + timeoutMs);
    const call: Call = { bucket, fail: ignore };
    bucket.calls.add(call);
    // The handlers run inside this promise rather than in a `.then`/`.catch` of their own: two
    // promises less per call (each promise also costs the async hooks of AsyncLocalStorage).
    if (signal === undefined) {
      return new Promise<Response>((resolve, reject) => {
        call.fail = handlers === undefined ? reject : (error) => settle(resolve, reject, handlers, error);
        fetch(input, { ...init, signal: bucket.controller.signal }).then(
          (response) => {
            this.#done(call);
            resolve(handlers === undefined ? response : handlers.onAnswer(response));
          },
          (error: unknown) => {
            this.#done(call);
            call.fail(error as Error);
          },
        );
      });
    }
    return new Promise<Response>((resolve, reject) => {
      call.fail = handlers === undefined ? reject : (error) => settle(resolve, reject, handlers, error);
      // Fails the caller at once, even through a custom fetch that ignores the signal.
      const onAbort = () => {
        this.#done(call);
        call.fail(new ApiCancelledError('The API call was cancelled through its AbortSignal', { cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      fetch(input, { ...init, signal: AbortSignal.any([bucket.controller.signal, signal]) }).then(
        (response) => {
          signal.removeEventListener('abort', onAbort);
          this.#done(call);
          resolve(handlers === undefined ? response : handlers.onAnswer(response));
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          this.#done(call);
          call.fail(error as Error);
        },
      );
    });
  }

  /** Aborts every call in flight and stops the interval. Later calls start it again. */
  close(): void {
    this.#stop();
    const error = new ApiCancelledError('ctp-client was closed while this API call was in flight');
    for (const bucket of this.#buckets.values()) this.#abort(bucket, error);
    this.#buckets.clear();
    this.#current = undefined;
  }

  /** How many calls have a deadline running (for tests and leak checks). */
  get size(): number {
    let size = 0;
    for (const bucket of this.#buckets.values()) size += bucket.calls.size;
    return size;
  }

  #bucketFor(deadline: number): Bucket {
    // Rounded up: a bucket is aborted only when every deadline in it has passed.
    const index = Math.ceil(deadline / this.tickMs);
    const current = this.#current;
    if (current !== undefined && current.index === index) return current;
    let bucket = this.#buckets.get(index);
    if (bucket === undefined) {
      const controller = new AbortController();
      // Every request of the tick listens on this one signal: no listener-count warning.
      setMaxListeners(0, controller.signal);
      bucket = { index, controller, calls: new Set() };
      this.#buckets.set(index, bucket);
      if (this.#timer === undefined) {
        this.#timer = setInterval(() => this.#sweep(), this.tickMs);
        this.#timer.unref();
      }
    }
    this.#current = bucket;
    return bucket;
  }

  #done(call: Call): void {
    const bucket = call.bucket;
    bucket.calls.delete(call);
    // A finished tick is dropped at once, with the requests that listened on its signal.
    if (bucket.calls.size === 0 && bucket !== this.#current && this.#buckets.get(bucket.index) === bucket) this.#buckets.delete(bucket.index);
  }

  #sweep(): void {
    const now = this.now();
    for (const bucket of this.#buckets.values()) {
      if (bucket.index * this.tickMs <= now) {
        this.#buckets.delete(bucket.index);
        if (bucket === this.#current) this.#current = undefined;
        const error = new ApiDeadlineError('The commercetools API did not answer within the call deadline (apiTimeoutMs per attempt, or the call timeout)');
        this.#abort(bucket, error);
      }
    }
    if (this.#buckets.size === 0) this.#stop();
  }

  /** Only a bucket with calls still open is aborted: its finished requests need nothing. */
  #abort(bucket: Bucket, error: Error): void {
    if (bucket.calls.size === 0) return;
    bucket.controller.abort(error);
    for (const call of bucket.calls) call.fail(error);
    bucket.calls.clear();
  }

  #stop(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
