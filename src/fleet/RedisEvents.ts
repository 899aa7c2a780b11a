import { randomUUID } from 'node:crypto';
import type { Logger } from '../util/Logger';
import { DeliveryWatch } from './DeliveryWatch';
import { quitRedisClient } from './quitRedisClient';
import type { RedisLike, RedisSubscriber } from './RedisLike';

/** What a consumer of a channel hears: each message, and the moments messages may have been missed. */
export interface ChannelListener {
  message(message: string): void;
  /** The subscription was lost (or never confirmed): anything learnt from messages is now unsure. */
  lost(): void;
}

export interface RedisEventsOptions {
  redis: RedisLike;
  logger: Logger;
  /** Bound of each step of closing the subscriber connection. */
  closeTimeoutMs: number;
  /** Prefix of the heartbeat channel (default `ctp:`): `<keyPrefix>heartbeat:<random id>`. */
  keyPrefix?: string | undefined;
  /** How often the subscriber's delivery is checked by a heartbeat (default 500 ms; see DeliveryWatch). */
  heartbeatMs?: number | undefined;
  /** How far delivery may lag before no channel counts as live (default 1 500 ms). */
  maxLagMs?: number | undefined;
  /** Monotonic clock of the heartbeats (tests). */
  now?: (() => number) | undefined;
}

// One PUBLISH, as a script: the heartbeat travels the way the library's own messages do.
export const HEARTBEAT_SCRIPT = "return redis.call('PUBLISH', ARGV[1], ARGV[2])";

/**
 * The process's one Redis subscriber connection (SUBSCRIBE puts a connection in a mode where it can
 * run nothing else, so it is a second connection: a duplicate of the client the library uses). Made
 * on first use, not at start-up, so a process that never waits for another instance and never
 * caches a session opens none; closed by close(). A channel is `live` only while its subscription is
 * confirmed on a connection that has not dropped since, and the connection is proven to deliver (a
 * heartbeat it PUBLISHes on a channel of its own came back in time, see DeliveryWatch): a message
 * published outside that may have been missed, and consumers must not trust what messages would
 * have told them. When delivery lapses, consumers hear `lost()` as for a dropped connection.
 */
export class RedisEvents {
  readonly #listeners = new Map<string, Set<ChannelListener>>();
  /** Channels whose SUBSCRIBE is confirmed on the current connection. */
  readonly #confirmed = new Set<string>();
  #subscriber: RedisSubscriber | undefined;
  #closed = false;
  /** This process's own heartbeat channel: only its own heartbeats arrive there (no fleet-wide fan-out). */
  readonly #heartbeatChannel: string;
  readonly #watch: DeliveryWatch;

  constructor(private readonly o: RedisEventsOptions) {
    this.#heartbeatChannel = `${o.keyPrefix ?? 'ctp:'}heartbeat:${randomUUID()}`;
    this.#watch = new DeliveryWatch({
      publish: (message) => this.o.redis.eval(HEARTBEAT_SCRIPT, 0, this.#heartbeatChannel, message),
      onLapse: () => this.#tellLost(),
      logger: o.logger,
      intervalMs: o.heartbeatMs,
      maxLagMs: o.maxLagMs,
      now: o.now,
    });
  }

  /** False when the client cannot make a subscriber (a RedisLike without duplicate()) or after close(): consumers poll. */
  get available(): boolean {
    return !this.#closed && typeof this.o.redis.duplicate === 'function';
  }

  /** True while `channel`'s subscription is confirmed on a connection that has not dropped since and delivers. */
  live(channel: string): boolean {
    return this.#confirmed.has(channel) && this.#watch.trusted();
  }

  /** Listens on `channel` from now on; connects the subscriber if it is not yet. Returns the way to stop. */
  listen(channel: string, listener: ChannelListener): () => void {
    let set = this.#listeners.get(channel);
    const isNew = set === undefined;
    if (!set) this.#listeners.set(channel, (set = new Set()));
    set.add(listener);
    this.start();
    if (isNew) this.#subscribe([channel]);
    const owned = set;
    return () => void owned.delete(listener);
  }

  /** Connects the subscriber (once). */
  start(): void {
    if (this.#subscriber !== undefined || !this.available) return;
    if (!this.#listeners.has(this.#heartbeatChannel))
      this.#listeners.set(
        this.#heartbeatChannel,
        new Set([{ message: (m) => this.#watch.heard(m), lost: () => undefined }]),
      );
    const override = { lazyConnect: false, autoResubscribe: false };
    // A Cluster's duplicate() takes its startup nodes first ([] keeps its own).
    const redis = this.o.redis;
    const subscriber = redis.isCluster === true ? redis.duplicate!([], override) : redis.duplicate!(override);
    this.#subscriber = subscriber;
    subscriber.on('error', (error: Error) =>
      this.o.logger.warn(
        { event: 'ctp.redis.subscriber.error', message: error.message },
        'Redis subscriber connection error',
      ),
    );
    subscriber.on('message', (channel: string, message: string) => {
      const set = this.#listeners.get(channel);
      if (set) for (const listener of set) listener.message(message);
    });
    // An auxiliary connection never keeps the process alive by itself: a script that quits its own
    // client and forgets close() still exits, as it did before there was a subscriber.
    subscriber.on('connect', () => void subscriber.stream?.unref?.());
    // Messages sent while the connection was down are gone: everything learnt from them is unsure.
    subscriber.on('close', () => this.#lose());
    // Our own SUBSCRIBE on every (re)connection, so a channel counts as live only once it is confirmed.
    subscriber.on('ready', () => this.#subscribe([...this.#listeners.keys()]));
  }

  #subscribe(channels: string[]): void {
    const subscriber = this.#subscriber;
    if (subscriber === undefined || channels.length === 0 || subscriber.status !== 'ready') return;
    subscriber.subscribe(...channels).then(
      () => {
        // Confirmed on this connection, unless it dropped meanwhile (then 'ready' subscribes again).
        if (this.#subscriber !== subscriber || subscriber.status !== 'ready') return;
        for (const channel of channels) this.#confirmed.add(channel);
        // Heartbeats only once they can come back: the first proves the connection, then every heartbeatMs.
        if (channels.includes(this.#heartbeatChannel)) this.#watch.start();
      },
      (error: unknown) =>
        this.o.logger.warn(
          { event: 'ctp.redis.subscriber.error', message: error instanceof Error ? error.message : 'unknown error' },
          'Redis SUBSCRIBE failed',
        ),
    );
  }

  #lose(): void {
    this.#confirmed.clear();
    this.#watch.reset();
    this.#tellLost();
  }

  #tellLost(): void {
    for (const set of this.#listeners.values()) for (const listener of set) listener.lost();
  }

  /** Closes the subscriber connection if one was made. Safe to call more than once. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#watch.stop();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    this.#lose();
    if (subscriber) await quitRedisClient(subscriber, this.o.closeTimeoutMs);
  }
}
