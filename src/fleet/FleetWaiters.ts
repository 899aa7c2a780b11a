import type { Sleep } from '../util/sleep';
import type { RedisEvents } from './RedisEvents';

/** This process's waiters on the fleet channel, each woken by a publication or release of its name, or by its fallback poll. */
export class FleetWaiters {
  readonly #waiters = new Map<string, Set<() => void>>();
  #listening = false;

  constructor(
    private readonly channel: string,
    private readonly sleep: Sleep,
  ) {}

  /** Subscribes once; every message wakes the waiters of the name it carries. */
  listen(events: RedisEvents): void {
    if (this.#listening) return;
    this.#listening = true;
    events.listen(this.channel, {
      message: (name) => {
        const set = this.#waiters.get(name);
        if (set) for (const wake of set) wake();
      },
      // A lost message costs a waiter at most one fallback poll: nothing to forget here.
      lost: () => undefined,
    });
  }

  /** A waiter for `name`, registered now: woken by a message for it, or after `ms` (the fallback poll). */
  expect(name: string): { until(ms: number): Promise<void>; cancel(): void } {
    let woken = false;
    let resolve: (() => void) | undefined;
    const wake = () => {
      woken = true;
      resolve?.();
    };
    let set = this.#waiters.get(name);
    if (!set) this.#waiters.set(name, (set = new Set()));
    set.add(wake);
    const cancel = () => {
      const current = this.#waiters.get(name);
      current?.delete(wake);
      if (current?.size === 0) this.#waiters.delete(name);
    };
    return {
      cancel,
      until: async (ms) => {
        if (woken) return;
        // The sleep is the injected one (fake timers in tests); a message ends the wait first.
        await Promise.race([this.sleep(ms), new Promise<void>((r) => (resolve = r))]);
      },
    };
  }
}
