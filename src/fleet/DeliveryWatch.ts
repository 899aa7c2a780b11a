import { performance } from 'node:perf_hooks';
import type { Logger } from '../util/Logger';

export interface DeliveryWatchOptions {
  /** PUBLISHes `message` on the watched connection's heartbeat channel (through the library's client). */
  publish(message: string): Promise<unknown>;
  /** Called once each time delivery stops being verified. */
  onLapse(lagMs: number): void;
  logger: Logger;
  /** How often a heartbeat is sent (default 500 ms). */
  intervalMs?: number | undefined;
  /** How far delivery may lag before the subscription is distrusted (default 1 500 ms). */
  maxLagMs?: number | undefined;
  /** A monotonic clock in ms (default performance.now): not the library's clock, which tests freeze. */
  now?: (() => number) | undefined;
}

/**
 * Proves that a subscriber connection still delivers: a connection can stay up and deliver nothing
 * (a half-open socket, a proxy dropping what Redis sends), and every message missed is a change this
 * process does not hear of. So the process PUBLISHes its send time on a channel of its own every
 * `intervalMs` and expects it back. Redis delivers to one connection in the order it ran the
 * PUBLISHes, so a heartbeat sent at `s` that arrived means every message published before `s`
 * arrived too. Delivery is trusted while the newest heartbeat received was sent at most `maxLagMs`
 * ago: a message published at `w` is heard, or the subscription distrusted, by `w + maxLagMs`.
 * Checked when asked and at every beat, so a stalled event loop or timer cannot stretch it.
 */
export class DeliveryWatch {
  readonly #now: () => number;
  readonly #maxLagMs: number;
  /** Send time of the newest heartbeat received on the current connection. */
  #heardSentAt = Number.NEGATIVE_INFINITY;
  #trusted = false;
  /** Distrusted by a lapse (not by a lost connection, which its consumers hear of): logged when it ends. */
  #lapsed = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: DeliveryWatchOptions) {
    this.#now = o.now ?? (() => performance.now());
    this.#maxLagMs = o.maxLagMs ?? 1_500;
  }

  /** True while delivery is verified; noticing a lapse here calls onLapse first. */
  trusted(): boolean {
    const lag = this.#now() - this.#heardSentAt;
    const ok = lag <= this.#maxLagMs;
    if (ok !== this.#trusted) {
      this.#trusted = ok;
      if (!ok) {
        this.o.logger.warn(
          { event: 'ctp.redis.subscriber.lagging', lagMs: Math.round(lag), maxLagMs: this.#maxLagMs },
          'Redis subscriber delivered no heartbeat in time: sessions are read from Redis until it does',
        );
        this.o.onLapse(lag);
      } else if (this.#lapsed) {
        this.o.logger.info({ event: 'ctp.redis.subscriber.delivering' }, 'Redis subscriber delivers again');
      }
      this.#lapsed = !ok;
    }
    return ok;
  }

  /** The heartbeat channel's subscription is confirmed: beat now, then every intervalMs. */
  start(): void {
    this.#beat();
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#beat(), this.o.intervalMs ?? 500);
    this.#timer.unref();
  }

  /** A message on the heartbeat channel. */
  heard(message: string): void {
    const sentAt = Number(message);
    // Only this process knows the channel; anything else there is ignored.
    if (!Number.isFinite(sentAt) || sentAt > this.#now()) return;
    // A lapse nobody asked about yet is noticed before this heartbeat restores trust, so what was kept is dropped.
    this.trusted();
    if (sentAt > this.#heardSentAt) this.#heardSentAt = sentAt;
    this.trusted();
  }

  /** The connection dropped (its consumers heard of it): nothing is verified until a heartbeat arrives on the next one. */
  reset(): void {
    this.#heardSentAt = Number.NEGATIVE_INFINITY;
    this.#trusted = false;
    this.#lapsed = false;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.reset();
  }

  #beat(): void {
    this.trusted();
    this.o
      .publish(String(this.#now()))
      .catch((error: unknown) =>
        this.o.logger.debug(
          { event: 'ctp.redis.heartbeat.failed', message: error instanceof Error ? error.message : 'unknown error' },
          'Redis heartbeat not sent',
        ),
      );
  }
}
