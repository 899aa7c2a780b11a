import { randomUUID } from 'node:crypto';
import type { Logger } from '../util/Logger';
import { DeliveryWatch } from './DeliveryWatch';
import { quitRedisClient } from './quitRedisClient';
import type { RedisLike, RedisSubscriber } from './RedisLike';

/** A consumer of a channel: each message, and `lost()` when messages may have been missed (anything learnt from them is unsure). */
export interface ChannelListener {
  message(message: string): void;
  lost(): void;
}

export interface RedisEventsOptions {
  redis: RedisLike;
  logger: Logger;
  /** Bound of each step of closing the subscriber connection. */
  closeTimeoutMs: number;
  /** Prefix of the heartbeat channel `<keyPrefix>heartbeat:<random id>` (default `ctp:`). */
  keyPrefix?: string | undefined;
  /** The heartbeat's interval, lag bound and monotonic clock (see DeliveryWatch). */
  heartbeatMs?: number | undefined;
  maxLagMs?: number | undefined;
  now?: (() => number) | undefined;
}

// One PUBLISH, as a script: the heartbeat travels the way the library's own messages do.
export const HEARTBEAT_SCRIPT = "return redis.call('PUBLISH', ARGV[1], ARGV[2])";

/**
 * The process's one Redis subscriber connection: a duplicate of the library's client, since a
 * subscribed connection can run nothing else. Made on first use (a process that never waits for
 * another instance and caches no session opens none); closed by close(). A channel is `live` only
 * while its SUBSCRIBE is confirmed on a connection that has not dropped since and that DeliveryWatch
 * proves delivers: outside that a message may have been missed, and consumers hear `lost()`.
 */
export class RedisEvents {
  readonly #listeners = new Map<string, Set<ChannelListener>>();
  /** Channels whose SUBSCRIBE is confirmed on the current connection. */
  readonly #confirmed = new Set<string>();
  #subscriber: RedisSubscriber | undefined;
  #closed = false;
  /** This process's own channel: no fleet-wide fan-out of heartbeats. */
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
    this.#listeners.set(this.#heartbeatChannel, new Set([{ message: (m) => this.#watch.heard(m), lost: () => {} }]));
  }

  /** False when the client cannot make a subscriber (a RedisLike without duplicate()) or after close(): consumers poll. */
  get available(): boolean {
    return !this.#closed && typeof this.o.redis.duplicate === 'function';
  }

  /** True while `channel`'s subscription is confirmed on a connection that has not dropped since and delivers. */
  live(channel: string): boolean {
    return this.#confirmed.has(channel) && this.#watch.trusted();
  }

  /** Listens on `channel` from now on (for the process's life); connects the subscriber if it is not yet. */
  listen(channel: string, listener: ChannelListener): void {
    const set = this.#listeners.get(channel);
    if (set) return void set.add(listener);
    this.#listeners.set(channel, new Set([listener]));
    this.#start();
    this.#subscribe([channel]);
  }

  #start(): void {
    if (this.#subscriber !== undefined || !this.available) return;
    const override = { lazyConnect: false, autoResubscribe: false };
    const redis = this.o.redis;
    // A Cluster's duplicate() takes its startup nodes first ([] keeps its own).
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
    // A script that quits its own client and forgets close() still exits.
    subscriber.on('connect', () => void subscriber.stream?.unref?.());
    // Messages sent while the connection was down are gone: everything learnt from them is unsure.
    subscriber.on('close', () => this.#lose());
    // Our own SUBSCRIBE on every (re)connection (not autoResubscribe), so a channel is live only once confirmed.
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
        // Heartbeats only once they can come back.
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
