interface Pending {
  readonly deadline: number;
  readonly fail: () => void;
}

/**
 * Bounds promises in time at almost no cost per call: one unref'd interval (a tick of `tickMs`)
 * fails the ones whose deadline has passed, instead of a timer per call (a setTimeout per call
 * costs more than the rest of the library's per-call work; bench/). A call fails at most one tick
 * after its deadline. The work itself is not cancelled: the caller stops waiting for it.
 */
export class DeadlineRace {
  readonly #pending = new Set<Pending>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly tickMs = 100,
  ) {}

  /** `work`'s outcome, or `timeout()`'s error once `timeoutMs` has passed, whichever comes first. */
  race<T>(work: Promise<T>, timeoutMs: number, timeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: this.now() + timeoutMs, fail: () => reject(timeout()) };
      this.#pending.add(entry);
      if (this.#timer === undefined) {
        this.#timer = setInterval(() => this.#sweep(), Math.min(this.tickMs, timeoutMs));
        this.#timer.unref();
      }
      work.then(
        (value) => {
          this.#pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.#pending.delete(entry);
          reject(error);
        },
      );
    });
  }

  /** Stops the interval; calls still waiting keep waiting for their work (close()). */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const now = this.now();
    for (const entry of this.#pending) {
      if (entry.deadline <= now) {
        this.#pending.delete(entry);
        entry.fail();
      }
    }
    if (this.#pending.size === 0) this.close();
  }
}
