interface Pending {
  deadline: number;
  reject: (error: Error) => void;
}

/**
 * Per-call timeouts for API requests at almost no cost per call: one unref'd interval fails the
 * calls whose deadline passed. Measured in bench/: an AbortSignal per call (or the SDK's own timeout
 * option) costs more than the rest of the library's per-call work together. The late answer is
 * dropped; its socket is left to undici's own timeouts.
 */
export class DeadlineSweeper {
  readonly #pending = new Set<Pending>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly tickMs = 250,
  ) {}

  /** `work`, or a rejection with a TimeoutError once `timeoutMs` has passed, whichever comes first. */
  race<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: this.now() + timeoutMs, reject };
      this.#pending.add(entry);
      if (this.#timer === undefined) {
        this.#timer = setInterval(() => this.#sweep(), this.tickMs);
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

  #sweep(): void {
    const now = this.now();
    for (const entry of this.#pending) {
      if (entry.deadline <= now) {
        this.#pending.delete(entry);
        const error = new Error('The commercetools API did not answer within apiTimeoutMs');
        error.name = 'TimeoutError';
        entry.reject(error);
      }
    }
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
