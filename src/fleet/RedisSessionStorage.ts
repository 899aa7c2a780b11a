import { decodeStoredSession, type StoredSession } from '../auth/StoredSession';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpRedisError } from '../errors/CtpRedisError';
import type { SessionStorage } from '../session/SessionStorage';
import type { RedisLike } from './RedisLike';
import type { RedisSessionCache } from './RedisSessionCache';

// Every write PUBLISHes `{origin} {id}` (ARGV: channel, message) from inside its script: the change
// and its announcement are one step, and every process's cache of the session hears of it.
// Compare and set in one script, so no other instance's write can come between the two. The
// stored value matches when it holds the expected token pair; "expected nothing" also matches a
// value that get() would read as no session (absent, not JSON, not a token).
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
 * A shopper's token in Redis under the app's session id, shared by every instance. A value that is
 * not a valid token reads as no session. Its compareAndSet is one Lua script, so a session's state
 * changes (refresh, sign-in, sign-out) are atomic across instances.
 *
 * With a cache (an option: the one createCtpServices made, `services.sessionCache`), get() answers from
 * process memory while the cache may be trusted, so an API call on a valid token sends no Redis
 * command; get({ fresh: true }), which the library uses before every change and on a 401, always
 * reads Redis, and a refused compareAndSet drops the cached value.
 * Every write announces itself on the sessions' channel, from inside its script, so every
 * instance's cache drops the session when it changes anywhere.
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
      /**
       * The process's cache of sessions' tokens (see RedisSessionCache), kept coherent by its
       * subscriber: createCtpServices makes one (`services.sessionCache`, unless `redis.sessionCache:
       * false`). Without it every get() reads Redis. `false` is the same as leaving it out.
       */
      cache?: RedisSessionCache | false | undefined;
    } = {},
  ) {
    const prefix = options.keyPrefix ?? 'ctp:';
    this.#key = sessionKey(prefix, id);
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
  async #read(): Promise<StoredSession | undefined> {
    const ticket = this.#cache?.begin(this.id);
    let stored: StoredSession | undefined;
    try {
      stored = parse(await this.#call('read', () => this.redis.get(this.#key)));
    } catch (error) {
      if (ticket) this.#cache!.settle(ticket, 'unknown');
      throw error;
    }
    if (ticket) this.#cache!.settle(ticket, stored);
    return stored;
  }

  /** Atomic across every instance on this Redis: one Lua script compares and writes. */
  async compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean> {
    const value = next === undefined ? '' : JSON.stringify(next);
    const answer = await this.#write(
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

  /** A write named `what` in its error, and what it leaves in the cache: `stored(answer)` (answer undefined: it failed). */
  async #write(
    what: string,
    command: () => Promise<unknown>,
    stored: (answer: unknown) => StoredSession | undefined | 'unknown',
  ): Promise<unknown> {
    const ticket = this.#cache?.begin(this.id);
    let answer: unknown;
    try {
      answer = await this.#call(what, command);
    } catch (error) {
      // It may have landed or not: forget the session, the next read asks Redis.
      if (ticket) this.#cache!.settle(ticket, 'unknown');
      throw error;
    }
    if (ticket) this.#cache!.settle(ticket, stored(answer));
    return answer;
  }

  async #call<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new CtpRedisError(
        CtpErrorCode.RedisUnavailable,
        `Redis failed to ${what} the shopper's session; check the Redis server.`,
        cause,
      );
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

/** The Redis key of session `id`. */
export function sessionKey(keyPrefix: string, id: string): string {
  return `${keyPrefix}session:${id}`;
}

/**
 * The sessions' pub/sub channel: every write of a RedisSessionStorage under `keyPrefix` announces
 * `{writer} {session id}` here, from inside its script. Next to sessionKey(), the key it announces.
 */
export function sessionChannel(keyPrefix: string): string {
  return `${keyPrefix}session-changed`;
}
