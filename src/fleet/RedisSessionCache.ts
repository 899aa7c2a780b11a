import { randomUUID } from 'node:crypto';
import type { StoredSession } from '../auth/StoredSession';
import { systemClock, type Clock } from '../util/Clock';
import { setBounded } from '../util/setBounded';
import type { RedisEvents } from './RedisEvents';

export interface RedisSessionCacheOptions {
  /** Sessions kept (default 10 000); the oldest filled is dropped first. */
  maxEntries?: number;
  /** A kept token is read from Redis again after this long even if no message said it changed (default 60 s). */
  maxAgeMs?: number;
  clock?: Clock;
}

/** What a read or write in flight carries, so that its answer fills the cache only if nothing changed meanwhile. */
export interface CacheTicket {
  readonly id: string;
  readonly live: boolean;
  readonly epoch: number;
}

/**
 * The sessions' tokens this process read or wrote last, so that an API call on a valid token sends
 * no Redis command. Every RedisSessionStorage write PUBLISHes `{origin} {session id}` from inside its
 * script, and a message from another process drops that session's entry. Safe to serve from because:
 * - an answer fills an entry only if its command was sent while the subscription was confirmed, and
 *   no message for that session and no connection loss came while it was in flight (message and
 *   answer travel on two connections, in any order);
 * - a lost subscriber connection drops every entry, and entries older than maxAgeMs are read again;
 * - between another instance's write and its message this process may still use the old token, so
 *   the door reads Redis, never this cache, before every write and on a 401 (a logout elsewhere has
 *   revoked that token: the call fails its recovery instead of using the session).
 */
export class RedisSessionCache {
  /** @internal Marks this process's own writes, which fill the cache on their answer instead. */
  readonly origin = randomUUID();
  readonly #entries = new Map<string, { token: StoredSession; at: number }>();
  /** Sessions with a command in flight, and whether a message for them came meanwhile. */
  readonly #inFlight = new Map<string, { count: number; dirty: boolean }>();
  #epoch = 0;
  #listening = false;
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #clock: Clock;

  /** @internal */
  constructor(
    private readonly events: RedisEvents,
    /** @internal */
    readonly channel: string,
    options: RedisSessionCacheOptions = {},
  ) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
    this.#clock = options.clock ?? systemClock;
  }

  /** @internal The kept token of session `id`, if it may be used without asking Redis. */
  lookup(id: string): StoredSession | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (!this.events.live(this.channel) || this.#clock.now() - entry.at > this.#maxAgeMs) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.token;
  }

  /** @internal Reads of Redis in flight per session, for get() calls that miss meanwhile to join. */
  readonly reads = new Map<string, Promise<StoredSession | undefined>>();

  /** @internal Before a command on session `id` is sent. */
  begin(id: string): CacheTicket {
    this.#listen();
    const flight = this.#inFlight.get(id);
    if (flight) flight.count += 1;
    else this.#inFlight.set(id, { count: 1, dirty: false });
    return { id, live: this.events.live(this.channel), epoch: this.#epoch };
  }

  /** @internal After its answer: what Redis holds now (undefined: nothing), or `unknown` when the answer does not say. */
  settle(ticket: CacheTicket, token: StoredSession | undefined | 'unknown'): void {
    const flight = this.#inFlight.get(ticket.id);
    const dirty = flight?.dirty === true;
    if (flight && --flight.count === 0) this.#inFlight.delete(ticket.id);
    const trusted = ticket.live && !dirty && ticket.epoch === this.#epoch && this.events.live(this.channel);
    // An absent session is not kept: starting one writes, and writes read Redis anyway.
    if (trusted && token !== 'unknown' && token !== undefined)
      setBounded(this.#entries, ticket.id, { token, at: this.#clock.now() }, this.#maxEntries);
    else this.#entries.delete(ticket.id);
  }

  /** @internal How many sessions are kept (tests, metrics). */
  get size(): number {
    return this.#entries.size;
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.events.listen(this.channel, {
      message: (message) => {
        const space = message.indexOf(' ');
        if (space < 0 || message.slice(0, space) === this.origin) return;
        const id = message.slice(space + 1);
        this.#entries.delete(id);
        const flight = this.#inFlight.get(id);
        if (flight) flight.dirty = true;
      },
      lost: () => {
        this.#epoch += 1;
        this.#entries.clear();
      },
    });
  }
}
