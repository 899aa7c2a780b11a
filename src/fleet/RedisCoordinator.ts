import { createHash, randomUUID } from 'node:crypto';
import { isCtpAuthToken, type CtpAuthToken, type SharedToken } from '../auth/CtpAuthToken';
import { isRefreshRefused } from '../auth/isRefreshRefused';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpRedisError } from '../errors/CtpRedisError';
import { CtpSessionExpiredError } from '../errors/CtpSessionExpiredError';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import type { Sleep } from '../util/sleep';
import type { RedisLike } from './RedisLike';
import type { SharedTokenId, TokenCoordinator } from './TokenCoordinator';

export interface RedisCoordinatorOptions {
  redis: RedisLike;
  keyPrefix: string;
  /** How long a lock lives if its holder dies; a live holder releases it at once. */
  lockTtlMs: number;
  /** How long an instance waits for another's grant before giving up. */
  lockWaitMs: number;
  pollMs: number;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
}

// Stores `value` only if no newer holder (higher fence) stored before: a holder whose lock expired
// while it was slow cannot overwrite the token of the one that came after it.
const PUBLISH = `
local current = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
if current > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'value', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// Takes the lock and hands out the next fencing number in one step.
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0`;

// Releases only our own lock: after its expiry it may belong to someone else.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const READ = `return redis.call('HGET', KEYS[1], 'value')`;

const EXPIRED_MARK = '{"expired":true}';

/**
 * Coordinates grants and refreshes across instances through Redis: a lock with an expiry per token
 * (so a crashed holder blocks others for at most lockTtlMs), a fencing number on every published
 * result, and the result itself, which the waiting instances read instead of granting again.
 */
export class RedisCoordinator implements TokenCoordinator {
  constructor(private readonly o: RedisCoordinatorOptions) {}

  shared(id: SharedTokenId, grant: () => Promise<SharedToken>, isFresh: (token: SharedToken) => boolean): Promise<SharedToken> {
    return this.#once(sharedTokenKey(id), (value) => parseShared(value), isFresh, grant, (token) => token.expiresAt - this.o.clock.now());
  }

  async refresh(token: CtpAuthToken, refresh: () => Promise<CtpAuthToken>, isFresh: (token: CtpAuthToken) => boolean): Promise<CtpAuthToken> {
    const key = refreshKey(token.refreshToken);
    try {
      return await this.#once(key, (value) => parseSession(value), isFresh, refresh, (fresh) => fresh.expiresAt - this.o.clock.now());
    } catch (error) {
      if (isRefreshRefused(error)) {
        // Tell the waiting instances at once rather than each refreshing in turn.
        await this.#call('mark session ended', () => this.o.redis.eval(PUBLISH, 1, this.#key(key), Number.MAX_SAFE_INTEGER, EXPIRED_MARK, 60_000)).catch(() => undefined);
      }
      throw error;
    }
  }

  async endSession(refreshToken: string): Promise<void> {
    const key = this.#key(refreshKey(refreshToken));
    await this.#call('mark session ended', () => this.o.redis.eval(PUBLISH, 1, key, Number.MAX_SAFE_INTEGER, EXPIRED_MARK, 24 * 3_600_000));
  }

  async #once<T>(name: string, parse: (value: string) => T | undefined, isFresh: (value: T) => boolean, produce: () => Promise<T>, ttlOf: (value: T) => number): Promise<T> {
    const resultKey = this.#key(name);
    const lockKey = this.#key(`lock:${name}`);
    const fenceKey = this.#key(`fence:${name}`);
    const deadline = this.o.clock.now() + this.o.lockWaitMs;
    const read = async (): Promise<T | undefined> => {
      const value = (await this.#call('read', () => this.o.redis.eval(READ, 1, resultKey))) as string | null;
      if (value === EXPIRED_MARK) throw new CtpSessionExpiredError('the session ended on another instance');
      const parsed = value === null ? undefined : parse(value);
      return parsed !== undefined && isFresh(parsed) ? parsed : undefined;
    };

    for (let waited = false; ; waited = true) {
      const published = await read();
      if (published !== undefined) {
        if (waited) this.o.logger.debug({ event: 'ctp.fleet.reused', key: name.split(':')[0] }, 'token from another instance');
        return published;
      }
      const id = randomUUID();
      const fence = Number(await this.#call('lock', () => this.o.redis.eval(ACQUIRE, 2, lockKey, fenceKey, id, this.o.lockTtlMs)));
      if (fence > 0) {
        try {
          // Someone may have published between our read and our lock.
          const again = await read();
          if (again !== undefined) return again;
          const value = await produce();
          const ttl = Math.max(1_000, Math.floor(ttlOf(value)));
          const stored = await this.#call('publish', () => this.o.redis.eval(PUBLISH, 1, resultKey, fence, JSON.stringify(value), ttl));
          if (Number(stored) === 0) this.o.logger.warn({ event: 'ctp.fleet.fenced', key: name.split(':')[0] }, 'a newer token was stored meanwhile; ours was not published');
          return value;
        } finally {
          await this.#call('unlock', () => this.o.redis.eval(RELEASE, 1, lockKey, id)).catch(() => undefined);
        }
      }
      if (this.o.clock.now() >= deadline) {
        throw new CtpRedisError(CtpErrorCode.FleetLockTimeout, `Another instance held the token lock for more than ${this.o.lockWaitMs} ms; try again, or raise redis.lockWaitMs.`);
      }
      await this.o.sleep(this.o.pollMs);
    }
  }

  #key(name: string): string {
    return `${this.o.keyPrefix}${name}`;
  }

  async #call<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new CtpRedisError(CtpErrorCode.RedisUnavailable, `Redis failed to ${what} (${cause instanceof Error ? cause.message : 'unknown error'}); check CTP_REDIS_URL and the Redis server.`, cause);
    }
  }
}

/**
 * `shared:<name>:{<hash>}`, the hash over everything that decides who the token is for (auth URL,
 * project, client id, exact scope parameter). Hashed so that no client id or scope list is readable
 * in Redis; it holds no secret either way. Services that differ in any part never share a key.
 */
export function sharedTokenKey(id: SharedTokenId): string {
  // JSON of an array: no two different tuples encode to the same string.
  return `shared:${id.name}:${tagged(hash(JSON.stringify(['ctp-shared-token/1', id.authUrl, id.projectKey, id.clientId, id.scope])))}`;
}

/** `refresh:{<hash of the refresh token>}`: the refresh token itself is never in a key. */
function refreshKey(refreshToken: string): string {
  return `refresh:${tagged(hash(refreshToken))}`;
}

/**
 * A Redis Cluster hash tag: the result, lock and fence keys of one token (`<name>`, `lock:<name>`,
 * `fence:<name>`) hash to one slot, so ACQUIRE, which takes the lock and the fence together, runs on
 * a cluster (a script's keys must share a slot). base64url has no braces, so the tag is the hash.
 */
function tagged(hashed: string): string {
  return `{${hashed}}`;
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function parseShared(value: string): SharedToken | undefined {
  try {
    const v = JSON.parse(value) as SharedToken;
    return typeof v.accessToken === 'string' && typeof v.expiresAt === 'number' && typeof v.issuedAt === 'number' && Array.isArray(v.scopes) ? v : undefined;
  } catch {
    return undefined;
  }
}

function parseSession(value: string): CtpAuthToken | undefined {
  try {
    const v = JSON.parse(value) as unknown;
    return isCtpAuthToken(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
