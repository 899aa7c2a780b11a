import { decodeStoredSession, type StoredSession } from '../auth/StoredSession';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpRedisError } from '../errors/CtpRedisError';
import type { SessionStorage } from '../session/SessionStorage';
import type { RedisLike } from './RedisLike';
import type { RedisSessionCache } from './RedisSessionCache';

// Compare and set in one step, so no other instance's write comes between the two; the write PUBLISHes
// `{origin} {id}` from inside, so change and announcement are one step too. "Expected nothing" also
// matches a value get() reads as no session (absent, not JSON, not a token).
// ARGV: expected present ('1'/'0'), expected access token, expected refresh token, next value ('' clears), ttl s, channel, message.
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
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1`;

/**
 * A shopper's token in Redis under the app's session id, shared by every instance; a value that is
 * not a valid token reads as no session. compareAndSet is one Lua script, so refresh, sign-in and
 * sign-out are atomic across instances. With a cache (`services.sessionCache`), get() answers from
 * memory while the cache may be trusted; get({ fresh: true }), which the library uses before every
 * change and on a 401, always reads Redis.
 *
 * @example
 * const cache = services.sessionCache;
 * app.use(ctpSessionMiddleware({ storage: (req) => new RedisSessionStorage(redis, req.sessionID, { cache }) }));
 */
export class RedisSessionStorage implements SessionStorage {
  readonly #key: string;
  readonly #ttlSeconds: number;
  readonly #channel: string;
  readonly #cache: RedisSessionCache | undefined;
  /** The message every write publishes: who wrote (so a process ignores its own) and which session. */
  readonly #message: string;

  constructor(
    private readonly redis: RedisLike,
    readonly id: string,
    options: {
      keyPrefix?: string;
      /** Kept this long after the last write; default 200 days, commercetools' refresh-token inactivity limit. */
      ttlSeconds?: number;
      /** The process's session cache (`services.sessionCache`, see RedisSessionCache); without it (or `false`) every get() reads Redis. */
      cache?: RedisSessionCache | false | undefined;
    } = {},
  ) {
    const prefix = options.keyPrefix ?? 'ctp:';
    this.#key = `${prefix}session:${id}`;
    this.#ttlSeconds = options.ttlSeconds ?? 200 * 86_400;
    this.#cache = options.cache === false ? undefined : options.cache;
    this.#channel = this.#cache ? this.#cache.channel : sessionChannel(prefix);
    this.#message = `${this.#cache?.origin ?? '-'} ${id}`;
  }

  /** The stored session: from the cache when it may be trusted (unless `fresh`), else from Redis. */
  get(options?: { fresh?: boolean }): Promise<StoredSession | undefined> {
    const cache = this.#cache;
    if (cache === undefined || options?.fresh === true) return this.#read();
    const cached = cache.lookup(this.id);
    if (cached !== undefined) return Promise.resolve(cached);
    // Concurrent calls that miss share one GET (a read sent a moment earlier is as good for a call;
    // a fresh read, which decides writes, never joins).
    let read = cache.reads.get(this.id);
    if (read === undefined) {
      read = this.#read();
      cache.reads.set(this.id, read);
      const done = () => void (cache.reads.get(this.id) === read && cache.reads.delete(this.id));
      read.then(done, done);
    }
    return read;
  }

  /** The session as Redis holds it now, never from the cache. */
  #read(): Promise<StoredSession | undefined> {
    return this.#send(
      'read',
      async () => parse(await this.redis.get(this.#key)),
      (stored) => stored,
    );
  }

  /** Atomic across every instance on this Redis: one Lua script compares and writes. */
  async compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean> {
    const value = next === undefined ? '' : JSON.stringify(next);
    const answer = await this.#send(
      'compare and set',
      () =>
        this.redis.eval(
          CAS_SCRIPT,
          1,
          this.#key,
          expected === undefined ? '0' : '1',
          expected?.a ?? '',
          expected?.r ?? '',
          value,
          this.#ttlSeconds,
          this.#channel,
          this.#message,
        ),
      // Refused: something else is stored, and the answer does not say what.
      (answer) => (Number(answer) !== 1 ? 'unknown' : value === '' ? undefined : parse(value)),
    );
    return Number(answer) === 1;
  }

  /** Sends `command` (`what` names it in the error); the cache learns that Redis now holds `stored(answer)`. */
  async #send<T>(
    what: string,
    command: () => Promise<T>,
    stored: (answer: T) => StoredSession | undefined | 'unknown',
  ): Promise<T> {
    const ticket = this.#cache?.begin(this.id);
    // A failed command may have landed or not: the cache forgets the session, the next read asks Redis.
    let after: StoredSession | undefined | 'unknown' = 'unknown';
    try {
      const answer = await command();
      after = stored(answer);
      return answer;
    } catch (cause) {
      throw new CtpRedisError(
        CtpErrorCode.RedisUnavailable,
        `Redis failed to ${what} the shopper's session; check the Redis server.`,
        cause,
      );
    } finally {
      if (ticket) this.#cache!.settle(ticket, after);
    }
  }
}

/** A stored value, frozen (the cache hands the same object to every call); what is not a session in either stored format reads as none. */
function parse(value: string | null): StoredSession | undefined {
  if (value === null) return undefined;
  try {
    const stored = JSON.parse(value) as unknown;
    if (!('token' in decodeStoredSession(stored))) return undefined;
    const scopes = (stored as { s?: unknown; scopes?: unknown }).s ?? (stored as { scopes?: unknown }).scopes;
    if (Array.isArray(scopes)) Object.freeze(scopes);
    return Object.freeze(stored) as StoredSession;
  } catch {
    return undefined;
  }
}

/** The sessions' channel: every write under `keyPrefix` announces `{writer} {session id}` here. */
export function sessionChannel(keyPrefix: string): string {
  return `${keyPrefix}session-changed`;
}
