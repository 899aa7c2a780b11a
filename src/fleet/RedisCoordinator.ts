import { randomUUID } from 'node:crypto';
import { isCtpAuthToken, type CtpAuthToken, type SharedToken } from '../auth/CtpAuthToken';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpRedisError } from '../errors/CtpRedisError';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import type { Sleep } from '../util/sleep';
import type { RedisEvents } from './RedisEvents';
import { fleetChannel, refreshKey, sharedTokenKey } from './fleetKeys';
import { FleetWaiters } from './FleetWaiters';
import { ENDED_MARK, FENCE_MARGIN_MS, PUBLISH, RELEASE, TRY } from './fleetScripts';
import type { RedisLike } from './RedisLike';
import type { TokenCoordinator } from '../tokens/TokenCoordinator';

export interface RedisCoordinatorOptions {
  redis: RedisLike;
  keyPrefix: string;
  /** How long a lock lives if its holder dies; a live holder releases it at once. */
  lockTtlMs: number;
  /** How long an instance waits for another's grant before giving up. */
  lockWaitMs: number;
  /** The fallback poll of a waiter no message woke (a lost message, a dead holder); without a live subscription at most 50 ms. */
  pollMs: number;
  /** The process's subscriber: a holder's PUBLISH wakes the waiting instances. */
  events?: RedisEvents | undefined;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
}

/** Without a confirmed subscription a waiter polls at least this often, as before pub/sub. */
const BLIND_POLL_MS = 50;

/**
 * Grants and refreshes once for the fleet, through Redis: a lock with an expiry per token (a crashed
 * holder blocks others for at most lockTtlMs), a fencing number on every published result, and the
 * result itself, which waiting instances read instead of granting again. The holder's publication
 * or release is PUBLISHed on the fleet channel and wakes the waiters; polling is only the fallback.
 * Commands per token and instance: a reader 1 (TRY), the holder 2 (TRY, PUBLISH), a waiter 2 (TRY, woken, TRY).
 */
export class RedisCoordinator implements TokenCoordinator {
  readonly #channel: string;
  readonly #waiters: FleetWaiters;

  constructor(private readonly o: RedisCoordinatorOptions) {
    this.#channel = fleetChannel(o.keyPrefix);
    this.#waiters = new FleetWaiters(this.#channel, o.sleep);
  }

  readonly #untilExpiry = (token: { expiresAt: number }): number => token.expiresAt - this.o.clock.now();

  shared: TokenCoordinator['shared'] = (id, grant, isFresh) =>
    this.keep(sharedTokenKey(id), parseShared, isFresh, grant, this.#untilExpiry);

  // An ended lineage's mark is published like a token, and taken like one: the waiters read it at once.
  refresh: TokenCoordinator['refresh'] = (token, refresh, isFresh) =>
    this.keep<CtpAuthToken | 'ended', CtpAuthToken>(
      refreshKey(token.refreshToken),
      (value) => (value === ENDED_MARK ? 'ended' : published<CtpAuthToken>(value, isCtpAuthToken)),
      (value) => value === 'ended' || isFresh(value),
      refresh,
      this.#untilExpiry,
    );

  /** The mark, with the highest fence: no holder's later publication replaces it while it lives. */
  async endLineage(refreshToken: string, ttlMs: number): Promise<void> {
    const name = refreshKey(refreshToken);
    await this.#publish('mark the lineage ended', name, Number.MAX_SAFE_INTEGER, ENDED_MARK, ttlMs, '');
  }

  /**
   * One value for the whole fleet under `name` (a token, a Checkout session per cart): the published
   * one while `isFresh`, else produced by one instance, which is handed the stale one (to refresh
   * rather than replace it); kept for `ttlOf` of it.
   */
  async keep<T, P extends T = T>(
    name: string,
    parse: (value: string) => T | undefined,
    isFresh: (value: T) => boolean,
    produce: (stale: T | undefined) => Promise<P>,
    ttlOf: (value: P) => number,
  ): Promise<T> {
    const deadline = this.o.clock.now() + this.o.lockWaitMs;
    const events = this.o.events?.available === true ? this.o.events : undefined;
    if (events) this.#waiters.listen(events);
    let staleFence = '';
    let stale: T | undefined;
    let waited = false;
    for (;;) {
      // Listening before the TRY is sent: a publication that lands after it wakes this waiter even
      // if its message overtakes the TRY's answer.
      const wake = this.#waiters.expect(name);
      const live = events?.live(this.#channel) === true;
      try {
        const id = randomUUID();
        const [value, fence, ours] = (await this.#call('lock', () =>
          this.o.redis.eval(TRY, 3, ...this.#keys(name), id, this.o.lockTtlMs, staleFence, FENCE_MARGIN_MS),
        )) as [string | null, string | null, number];
        const parsed = value === null ? undefined : parse(value);
        if (parsed !== undefined && isFresh(parsed)) {
          // Published between our last look and our lock: theirs, and our lock goes back.
          if (Number(ours) > 0) await this.#release(name, id);
          if (waited)
            this.o.logger.debug({ event: 'ctp.fleet.reused', key: name.split(':')[0] }, 'token from another instance');
          return parsed;
        }
        if (parsed !== undefined) stale = parsed;
        if (Number(ours) === -1) {
          // A result this instance may not take (expired, other scopes, refused): compete to replace it, now.
          staleFence = fence ?? '';
          continue;
        }
        if (Number(ours) > 0) return await this.#produce(name, id, Number(ours), () => produce(stale), ttlOf);
        if (this.o.clock.now() >= deadline) {
          throw new CtpRedisError(
            CtpErrorCode.FleetLockTimeout,
            `Another instance held the token lock for more than ${this.o.lockWaitMs} ms; try again, or raise redis.lockWaitMs.`,
          );
        }
        await wake.until(live ? this.o.pollMs : Math.min(this.o.pollMs, BLIND_POLL_MS));
        waited = true;
      } finally {
        wake.cancel();
      }
    }
  }

  /** The lock holder's turn: produce the value, then publish it under our fence (which releases the lock). */
  async #produce<P>(
    name: string,
    id: string,
    fence: number,
    produce: () => Promise<P>,
    ttlOf: (value: P) => number,
  ): Promise<P> {
    let value: P;
    try {
      value = await produce();
    } catch (error) {
      await this.#release(name, id).catch(() => undefined);
      throw error;
    }
    const ttl = Math.max(1_000, Math.floor(ttlOf(value)));
    // The token is live once produced: if only its publication fails it is still returned (the caller
    // stores it; the lock expires after lockTtlMs), never thrown away to be granted a second time.
    const stored = await this.#publish('publish', name, fence, JSON.stringify(value), ttl, id).catch(
      (error: CtpRedisError) => {
        this.o.logger.warn(
          { event: 'ctp.fleet.publish-failed', key: name.split(':')[0], code: error.code },
          'Redis failed to publish the new token; this instance uses it unpublished',
        );
      },
    );
    if (Number(stored) === 0)
      this.o.logger.warn(
        { event: 'ctp.fleet.fenced', key: name.split(':')[0] },
        'a newer token was stored meanwhile; ours was not published',
      );
    return value;
  }

  #publish(what: string, name: string, fence: number, value: string, ttlMs: number, id: string): Promise<unknown> {
    return this.#call(what, () =>
      this.o.redis.eval(PUBLISH, 3, ...this.#keys(name), fence, value, ttlMs, id, this.#channel, name, FENCE_MARGIN_MS),
    );
  }

  #release(name: string, id: string): Promise<unknown> {
    return this.#call('unlock', () => this.o.redis.eval(RELEASE, 1, this.#keys(name)[1], id, this.#channel, name));
  }

  /** The result, lock and fence keys of `name` (one hash slot: see fleetKeys). */
  #keys(name: string): [string, string, string] {
    const key = `${this.o.keyPrefix}${name}`;
    return [key, `${this.o.keyPrefix}lock:${name}`, `${this.o.keyPrefix}fence:${name}`];
  }

  async #call<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new CtpRedisError(
        CtpErrorCode.RedisUnavailable,
        `Redis failed to ${what} (${cause instanceof Error ? cause.message : 'unknown error'}); check the Redis server and the library's connection to it (CTP_REDIS_URL, redis.url or redis.clusterUrls).`,
        cause,
      );
    }
  }
}

/** A value another instance published, if `accepts` takes it; anything else reads as none. */
function published<T>(value: string, accepts: (value: T) => boolean): T | undefined {
  try {
    const parsed = JSON.parse(value) as T;
    return accepts(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function parseShared(value: string): SharedToken | undefined {
  return published<SharedToken>(
    value,
    (v) =>
      typeof v.accessToken === 'string' &&
      typeof v.expiresAt === 'number' &&
      typeof v.issuedAt === 'number' &&
      Array.isArray(v.scopes),
  );
}
