/**
 * One promise in flight per key: callers until it settles share it, and the key is freed when it settles,
 * so a failure reaches every waiter and the next call starts afresh.
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
    // A `work` that throws synchronously has already run `finally`: storing it would cache the failure for ever.
    if (!settled) this.#inFlight.set(key, started);
    return started;
  }

  /** How many keys have work in flight (for tests and metrics). */
  get size(): number {
    return this.#inFlight.size;
  }
}
