import type { FetchLike } from '../auth/AuthTransport';

/** A call's deadline passed (the sweeper aborted its request with it). */
export class ApiDeadlineError extends Error {
  override readonly name = 'TimeoutError';
}

/** A call was cancelled: the client was closed (a caller's own signal rejects with its own reason). */
export class ApiCancelledError extends Error {
  override readonly name = 'AbortError';
}

/**
 * Calls per shared signal: under Node's default listener limit (10), with room for the listener
 * AbortSignal.any adds when a caller's signal is combined.
 */
const SIGNAL_SHARE = 8;

/** What the caller does with the answer or the failure, in the sweeper's one `then`. */
export interface AnswerHandlers {
  /** e.g. the retry decision on a status; may return a promise. */
  onAnswer(response: Response): Response | Promise<Response>;
  /** e.g. the retry decision on a failure, timeout included; may return a promise or throw. */
  onFailure(error: unknown): Response | Promise<Response>;
}

/** The calls whose deadline falls into one tick: they share one AbortController, aborted together. */
interface Bucket {
  readonly index: number;
  /** Its signal is every member request's: aborting it makes fetch reject and undici close their sockets. */
  /** Every controller of the tick; the last one's signal is handed to new calls. */
  readonly controllers: AbortController[];
  /** The signal new calls of the tick get (the last controller's), and how many got it. */
  signal: AbortSignal;
  uses: number;
  /** Calls still waiting for their answer's head. */
  open: number;
  // Made once per bucket, not per call: they pass the answer (or the failure) through and count it.
  readonly onAnswer: (response: Response) => Response;
  readonly onFailure: (error: unknown) => never;
}

/**
 * Per-call deadlines for API requests that really cancel, at almost no cost per call. The calls
 * whose deadline falls into the same tick share a few AbortControllers (one per SIGNAL_SHARE calls),
 * passed as the fetch `signal`;
 * one unref'd interval aborts a tick's controller once its last deadline has passed and a call of
 * it still waits, which makes fetch reject those calls with a TimeoutError and undici close their
 * sockets. A call is failed at most two ticks after its deadline. The fetch must honour
 * `init.signal`, as every fetch does.
 *
 * Why shared: on Node 20, creating an AbortSignal costs 6-8 µs of CPU, about as much as the rest of
 * the library's per-call work, and a timer per call costs more still (bench/). Per call there
 * is one counter and one `then`; a tick's controller is made once per tick with traffic.
 *
 * The deadline runs until the answer's head (status and headers), as undici's headersTimeout does.
 * A call's body is cut only if another call of its tick is still waiting when the tick is aborted.
 * Covering every body would need a view of each Response (measured: +5 % per call, past the overhead
 * goal), and aborting an error answer's body makes the SDK, which reads it without a catch, raise an
 * unhandled rejection.
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
   * `fetch(input, init)` with a signal that is aborted (ApiDeadlineError) if no answer came within
   * `timeoutMs`. A caller's `signal` is combined with it (AbortSignal.any) only when given, so a
   * call without one keeps the tick's signal alone. `handlers` run in the same `then` (the retry
   * decision), so deciding costs no promise of its own.
   */
  fetch(fetch: FetchLike, input: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal, handlers?: AnswerHandlers): Promise<Response> {
    if (signal?.aborted === true) {
      const error = new ApiCancelledError('The API call was cancelled through its AbortSignal', { cause: signal.reason });
      return handlers === undefined ? Promise.reject(error) : Promise.resolve().then(() => handlers.onFailure(error));
    }
    const bucket = this.#bucketFor(this.now() + timeoutMs);
    bucket.open += 1;
    // Set in place: `init` is the engine's own object for this request (both engines build one per
    // attempt), and a copy with one more property measurably costs on every call.
    const shared = this.#signalOf(bucket);
    init.signal = signal === undefined ? shared : AbortSignal.any([shared, signal]);
    const answer = fetch(input, init);
    if (handlers === undefined) return answer.then(bucket.onAnswer, bucket.onFailure);
    return answer.then(
      (response) => {
        bucket.open -= 1;
        return handlers.onAnswer(response);
      },
      (error: unknown) => {
        bucket.open -= 1;
        return handlers.onFailure(error);
      },
    );
  }

  /** Aborts every call in flight (AbortError) and stops the interval. Later calls start it again. */
  close(): void {
    this.#stop();
    const error = new ApiCancelledError('ctp-client was closed while this API call was in flight');
    for (const bucket of this.#buckets.values()) this.#abort(bucket, error);
    this.#buckets.clear();
    this.#current = undefined;
  }

  /** How many calls are waiting for their answer (for tests and leak checks). */
  get size(): number {
    let size = 0;
    for (const bucket of this.#buckets.values()) size += bucket.open;
    return size;
  }

  #bucketFor(deadline: number): Bucket {
    // Rounded up: a bucket is aborted only when every deadline in it has passed.
    const index = Math.ceil(deadline / this.tickMs);
    const current = this.#current;
    if (current !== undefined && current.index === index) return current;
    let bucket = this.#buckets.get(index);
    if (bucket === undefined) {
      bucket = this.#newBucket(index);
      this.#buckets.set(index, bucket);
      if (this.#timer === undefined) {
        this.#timer = setInterval(() => this.#sweep(), this.tickMs);
        this.#timer.unref();
      }
    }
    this.#current = bucket;
    return bucket;
  }

  /**
   * A signal shared by at most SIGNAL_SHARE calls. Node's fetch (undici) lists a signal's abort
   * listeners on every request (getEventListeners, to raise its listener limit) and removes its own
   * only when the request is garbage-collected, so one signal for a whole tick made every request
   * cost O(calls of the tick): measured over loopback, +30-60 µs a call (bench/, "over loopback").
   * A new controller every few calls keeps that list short for a fraction of a µs per call.
   */
  #signalOf(bucket: Bucket): AbortSignal {
    if (bucket.uses >= SIGNAL_SHARE) {
      const controller = new AbortController();
      bucket.controllers.push(controller);
      bucket.signal = controller.signal;
      bucket.uses = 0;
    }
    bucket.uses += 1;
    return bucket.signal;
  }

  #newBucket(index: number): Bucket {
    const controller = new AbortController();
    const bucket: Bucket = {
      index,
      controllers: [controller],
      signal: controller.signal,
      uses: 0,
      open: 0,
      onAnswer: (response) => {
        bucket.open -= 1;
        return response;
      },
      onFailure: (error) => {
        bucket.open -= 1;
        throw error;
      },
    };
    return bucket;
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

  /** Only a tick with a call still waiting is aborted: its finished requests need nothing. */
  #abort(bucket: Bucket, error: Error): void {
    if (bucket.open > 0) for (const controller of bucket.controllers) controller.abort(error);
  }

  #stop(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
