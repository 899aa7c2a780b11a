import type { FetchLike } from '../auth/AuthTransport';

interface Pending {
  deadline: number;
  /** Its signal is the request's: aborting it makes undici close the socket of a call in flight. */
  controller: AbortController;
  /** Fails what the caller waits for now (the answer's head, then its body). */
  fail: (error: Error) => void;
}

const ignore = () => undefined;

/**
 * Per-call deadlines for API requests at almost no cost per call: each call gets an AbortController
 * (no timer of its own), and one unref'd interval aborts the calls whose deadline passed. Aborting
 * the request's signal releases its socket; the caller is failed at the same moment, even by a custom
 * fetch that ignores the signal. Measured in bench/: a timer or AbortSignal.timeout per call costs
 * more than the rest of the library's per-call work together; a bare AbortController does not.
 *
 * The deadline covers the whole answer, body included: a server that sends its head and then stalls
 * is cut off too.
 */
export class DeadlineSweeper {
  readonly #pending = new Set<Pending>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly tickMs = 250,
  ) {}

  /** `fetch(input, init)` with an abort signal, aborted and failed with a TimeoutError once `timeoutMs` has passed. */
  fetch(fetch: FetchLike, input: string, init: RequestInit, timeoutMs: number): Promise<Response> {
    const entry: Pending = { deadline: this.now() + timeoutMs, controller: new AbortController(), fail: ignore };
    this.#pending.add(entry);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), this.tickMs);
      this.#timer.unref();
    }
    return new Promise<Response>((resolve, reject) => {
      entry.fail = reject;
      fetch(input, { ...init, signal: entry.controller.signal }).then(
        (response) => {
          if (init.method === 'HEAD') {
            this.#pending.delete(entry);
            resolve(response);
          } else {
            resolve(this.#bodyWithin(entry, response));
          }
        },
        (error: unknown) => {
          this.#pending.delete(entry);
          reject(error);
        },
      );
    });
  }

  /** Aborts every call in flight and stops the interval. Later calls start it again. */
  close(): void {
    this.#stop();
    const error = new Error('ctp-client was closed while this API call was in flight');
    error.name = 'AbortError';
    for (const entry of this.#pending) this.#abort(entry, error);
    this.#pending.clear();
  }

  /** How many calls have a deadline running (for tests and leak checks). */
  get size(): number {
    return this.#pending.size;
  }

  // The SDK reads the answer with text() only (and status, ok, headers): the view it gets reads the
  // body within the same deadline. The SDK reads an error answer's body without a catch, so a failed
  // or cut-off error body reads as empty instead of becoming an unhandled rejection that never
  // settles the caller's promise; the caller still gets the error status.
  #bodyWithin(entry: Pending, response: Response): Response {
    const text = () =>
      new Promise<string>((resolve, reject) => {
        entry.fail = response.ok ? reject : () => resolve('');
        response.text().then(
          (body) => {
            this.#pending.delete(entry);
            resolve(body);
          },
          (error: unknown) => {
            this.#pending.delete(entry);
            if (response.ok) reject(error);
            else resolve('');
          },
        );
      });
    return { ok: response.ok, status: response.status, statusText: response.statusText, headers: response.headers, text } as unknown as Response;
  }

  #sweep(): void {
    const now = this.now();
    for (const entry of this.#pending) {
      if (entry.deadline <= now) {
        this.#pending.delete(entry);
        const error = new Error('The commercetools API did not answer within apiTimeoutMs');
        error.name = 'TimeoutError';
        this.#abort(entry, error);
      }
    }
    if (this.#pending.size === 0) this.#stop();
  }

  #abort(entry: Pending, error: Error): void {
    entry.controller.abort(error);
    entry.fail(error);
  }

  #stop(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
