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
import type { CoordinatedRefresh, SharedTokenId, TokenCoordinator } from '../tokens/TokenCoordinator';

export interface RedisCoordinatorOptions {
  redis: RedisLike;
  keyPrefix: string;
  /** How long a lock lives if its holder dies; a live holder releases it at once. */
  lockTtlMs: number;
  /** How long an instance waits for another's grant before giving up. */
  lockWaitMs: number;
  /**
   * How often a waiting instance looks again when no message woke it: the fallback for a lost
   * message or a holder that died. Without `events` (or before its subscription is confirmed) it
   * polls at min(pollMs, 50 ms).
   */
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
 * Coordinates grants and refreshes across instances through Redis: a lock with an expiry per token
 * (so a crashed holder blocks others for at most lockTtlMs), a fencing number on every published
 * result, and the result itself, which the waiting instances read instead of granting again. The
 * holder's publication (and its release of the lock) is PUBLISHed on the fleet channel: waiting
 * instances are woken by it and poll only as a slow fallback.
 *
 * Commands per token and instance: 1 (`TRY`) to read a published result; the holder 2 (`TRY`, then
 * `PUBLISH` which also releases); a waiter 2 (`TRY`, woken, `TRY`) plus one SUBSCRIBE per process.
 */
export class RedisCoordinator implements TokenCoordinator {
  readonly #channel: string;
  readonly #waiters: FleetWaiters;

  constructor(private readonly o: RedisCoordinatorOptions) {
    this.#channel = fleetChannel(o.keyPrefix);
    this.#waiters = new FleetWaiters(this.#channel, o.sleep);
  }

  shared(
    id: SharedTokenId,
    grant: () => Promise<SharedToken>,
    isFresh: (token: SharedToken) => boolean,
  ): Promise<SharedToken> {
    return this.#once(
      sharedTokenKey(id),
      (value) => parseShared(value),
      isFresh,
      grant,
      (token) => token.expiresAt - this.o.clock.now(),
    );
  }

  refresh(
    token: CtpAuthToken,
    refresh: () => Promise<CtpAuthToken>,
    isFresh: (token: CtpAuthToken) => boolean,
  ): Promise<CoordinatedRefresh> {
    // An ended lineage's mark is published like a token, and taken like one: the waiters read it at once.
    return this.#once<CoordinatedRefresh, CtpAuthToken>(
      refreshKey(token.refreshToken),
      (value) => (value === ENDED_MARK ? 'ended' : parseRefreshed(value)),
      (value) => value === 'ended' || isFresh(value),
      refresh,
      (fresh) => fresh.expiresAt - this.o.clock.now(),
    );
  }

  /**
   * One value for the whole fleet under `name` (a Checkout session per cart): the published one while
   * `isFresh`, else produced by one instance, which is handed the stale one (to refresh rather than
   * replace it); kept for `ttlOf` of it.
   */
  keep<T>(
    name: string,
    parse: (value: string) => T | undefined,
    isFresh: (value: T) => boolean,
    produce: (stale: T | undefined) => Promise<T>,
    ttlOf: (value: T) => number,
  ): Promise<T> {
    return this.#once<T, T>(name, parse, isFresh, produce, ttlOf);
  }

  /** The mark, with the highest fence: no holder's later publication replaces it while it lives. */
  async endLineage(refreshToken: string, ttlMs: number): Promise<void> {
    const name = refreshKey(refreshToken);
    await this.#call('mark the lineage ended', () =>
      this.o.redis.eval(
        PUBLISH,
        3,
        this.#key(name),
        this.#key(`lock:${name}`),
        this.#key(`fence:${name}`),
        Number.MAX_SAFE_INTEGER,
        ENDED_MARK,
        ttlMs,
        '',
        this.#channel,
        name,
        FENCE_MARGIN_MS,
      ),
    );
  }

  async #once<T, P extends T>(
    name: string,
    parse: (value: string) => T | undefined,
    isFresh: (value: T) => boolean,
    produce: (stale: T | undefined) => Promise<P>,
    ttlOf: (value: P) => number,
  ): Promise<T> {
    const resultKey = this.#key(name);
    const lockKey = this.#key(`lock:${name}`);
    const fenceKey = this.#key(`fence:${name}`);
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
          this.o.redis.eval(TRY, 3, resultKey, lockKey, fenceKey, id, this.o.lockTtlMs, staleFence, FENCE_MARGIN_MS),
        )) as [string | null, string | null, number];
        const parsed = value === null ? undefined : parse(value);
        const published = parsed !== undefined && isFresh(parsed) ? parsed : undefined;
        if (published !== undefined) {
          // Published between our last look and our lock: theirs, and our lock goes back.
          if (Number(ours) > 0) await this.#release(lockKey, id, name);
          if (waited)
            this.o.logger.debug({ event: 'ctp.fleet.reused', key: name.split(':')[0] }, 'token from another instance');
          return published;
        }
        if (parsed !== undefined) stale = parsed;
        if (Number(ours) === -1) {
          // A result this instance may not take (expired, other scopes, refused): compete to replace it, now.
          staleFence = fence ?? '';
          continue;
        }
        if (Number(ours) > 0)
          return await this.#produce(resultKey, lockKey, fenceKey, id, Number(ours), name, () => produce(stale), ttlOf);
        if (this.o.clock.now() >= deadline) {
          throw new CtpRedisError(
            CtpErrorCode.FleetLockTimeout,
            `Another instance held the token lock for more than ${this.o.lockWaitMs} ms; try again, or raise redis.lockWaitMs.`,
          );
        }
        // Woken by the holder's publication (or release); the poll is only the fallback for a lost message or a dead holder.
        await wake.until(live ? this.o.pollMs : Math.min(this.o.pollMs, BLIND_POLL_MS));
        waited = true;
      } finally {
        wake.cancel();
      }
    }
  }

  async #produce<P>(
    resultKey: string,
    lockKey: string,
    fenceKey: string,
    id: string,
    fence: number,
    name: string,
    produce: () => Promise<P>,
    ttlOf: (value: P) => number,
  ): Promise<P> {
    let value: P;
    try {
      value = await produce();
    } catch (error) {
      await this.#release(lockKey, id, name).catch(() => undefined);
      throw error;
    }
    const ttl = Math.max(1_000, Math.floor(ttlOf(value)));
    // The token is live once produced: if only its publication fails it is still returned (the caller stores it; the lock
    // expires after lockTtlMs), never thrown away to be granted or refreshed a second time.
    const stored = await this.#call('publish', () =>
      this.o.redis.eval(
        PUBLISH,
        3,
        resultKey,
        lockKey,
        fenceKey,
        fence,
        JSON.stringify(value),
        ttl,
        id,
        this.#channel,
        name,
        FENCE_MARGIN_MS,
      ),
    ).catch((error: CtpRedisError) => {
      this.o.logger.warn(
        { event: 'ctp.fleet.publish-failed', key: name.split(':')[0], code: error.code },
        'Redis failed to publish the new token; this instance uses it unpublished',
      );
      return 'unpublished' as const;
    });
    if (stored === 'unpublished') return value;
    if (Number(stored) === 0)
      this.o.logger.warn(
        { event: 'ctp.fleet.fenced', key: name.split(':')[0] },
        'a newer token was stored meanwhile; ours was not published',
      );
    return value;
  }

  #release(lockKey: string, id: string, name: string): Promise<unknown> {
    return this.#call('unlock', () => this.o.redis.eval(RELEASE, 1, lockKey, id, this.#channel, name));
  }

  #key(name: string): string {
    return `${this.o.keyPrefix}${name}`;
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

/** A shared token as another instance published it; anything else reads as none. */
export function parseShared(value: string): SharedToken | undefined {
  try {
    const v = JSON.parse(value) as SharedToken;
    return typeof v.accessToken === 'string' &&
      typeof v.expiresAt === 'number' &&
      typeof v.issuedAt === 'number' &&
      Array.isArray(v.scopes)
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}

/** A refreshed token (of a shopper's lineage) as another instance published it; anything else reads as none. */
export function parseRefreshed(value: string): CtpAuthToken | undefined {
  try {
    const v = JSON.parse(value) as unknown;
    return isCtpAuthToken(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
