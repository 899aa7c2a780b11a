/**
 * One promise in flight per key: the first caller starts the work, every caller for the same key
 * until it settles gets the same promise, and the key is freed in `finally`, whether it resolved or
 * rejected, so a failure is seen by every waiter and the next call starts afresh.
 */
export class SingleFlight<K, V> {
  readonly #inFlight = new Map<K, Promise<V>>();

  run(key: K, work: () => Promise<V>): Promise<V> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    let settled = false;
    const started = (async () => {
      try {
        return await work();
      } finally {
        settled = true;
        this.#inFlight.delete(key);
      }
    })();
    // A `work` that throws synchronously settles the async wrapper before `run` reaches this line:
    // its `finally` has already run, so storing the promise now would cache that failure forever.
    if (!settled) this.#inFlight.set(key, started);
    return started;
  }

  /** How many keys have work in flight (for tests and metrics). */
  get size(): number {
    return this.#inFlight.size;
  }
}
