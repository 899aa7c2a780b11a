import type { CtpAuthToken } from '../auth/CtpAuthToken';
import { decodeStoredSession, toStoredSession } from '../auth/StoredSession';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpRedisError } from '../errors/CtpRedisError';
import type { SessionStorage } from '../session/SessionStorage';
import type { RedisLike } from './RedisLike';

const SET_SCRIPT = `return redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])`;
const DEL_SCRIPT = `return redis.call('DEL', KEYS[1])`;

// Compare and set in one script, so no other instance's write can come between the two. The
// stored value matches when it holds the expected token pair; "expected nothing" also matches a
// value that get() would read as no session (absent, not JSON, not a token).
// ARGV: expected present ('1'/'0'), expected access token, expected refresh token, next value ('' clears), ttl s.
const CAS_SCRIPT = `
local current = redis.call('GET', KEYS[1])
local held = false
local access, refresh
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' then
    -- Either stored format: compact (a, r) or the full token of earlier versions.
    access = decoded.a or decoded.accessToken
    refresh = decoded.r or decoded.refreshToken
    held = type(access) == 'string' and type(refresh) == 'string'
  end
end
local matches
if ARGV[1] == '1' then matches = held and access == ARGV[2] and refresh == ARGV[3] else matches = not held end
if not matches then return 0 end
if ARGV[4] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[4], 'EX', ARGV[5]) end
return 1`;

export interface RedisSessionStorageOptions {
  keyPrefix?: string;
  /** Kept this long after the last write; default 200 days, commercetools' refresh-token inactivity limit. */
  ttlSeconds?: number;
}

/**
 * A shopper's token in Redis under the app's session id, shared by every instance. A value that is
 * not a valid token reads as no session. Its compareAndSet is one Lua script, so a session's state
 * changes (refresh, sign-in, sign-out) are atomic across instances.
 *
 * @example
 * app.use(ctpSessionMiddleware({ storage: (req) => new RedisSessionStorage(redis, req.sessionID) }));
 */
export class RedisSessionStorage implements SessionStorage {
  readonly #key: string;
  readonly #ttlSeconds: number;

  constructor(
    private readonly redis: RedisLike,
    readonly id: string,
    options: RedisSessionStorageOptions = {},
  ) {
    this.#key = `${options.keyPrefix ?? 'ctp:'}session:${id}`;
    this.#ttlSeconds = options.ttlSeconds ?? 200 * 86_400;
  }

  async get(): Promise<CtpAuthToken | undefined> {
    const value = await this.#call('read', () => this.redis.get(this.#key));
    if (value === null) return undefined;
    try {
      // Either stored format; a write stores the compact one (StoredSession).
      const decoded = decodeStoredSession(JSON.parse(value) as unknown);
      return 'token' in decoded ? decoded.token : undefined;
    } catch {
      return undefined;
    }
  }

  async set(token: CtpAuthToken): Promise<void> {
    // One SET: the stored value is the old token or the new one, never a mix.
    await this.#call('write', () => this.redis.eval(SET_SCRIPT, 1, this.#key, JSON.stringify(toStoredSession(token)), this.#ttlSeconds));
  }

  async clear(): Promise<void> {
    await this.#call('clear', () => this.redis.eval(DEL_SCRIPT, 1, this.#key));
  }

  /** Atomic across every instance on this Redis: one Lua script compares and writes. */
  async compareAndSet(expected: CtpAuthToken | undefined, next: CtpAuthToken | undefined): Promise<boolean> {
    const answer = await this.#call('update', () =>
      this.redis.eval(
        CAS_SCRIPT,
        1,
        this.#key,
        expected === undefined ? '0' : '1',
        expected?.accessToken ?? '',
        expected?.refreshToken ?? '',
        next === undefined ? '' : JSON.stringify(toStoredSession(next)),
        this.#ttlSeconds,
      ),
    );
    return Number(answer) === 1;
  }

  async #call<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new CtpRedisError(CtpErrorCode.RedisUnavailable, `Redis failed to ${what} the shopper's session; check the Redis server.`, cause);
    }
  }
}
