import { isCtpAuthToken, type CtpAuthToken } from '../auth/CtpAuthToken';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpRedisError } from '../errors/CtpRedisError';
import type { SessionStorage } from '../session/SessionStorage';
import type { RedisLike } from './RedisLike';

const SET_SCRIPT = `return redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])`;
const DEL_SCRIPT = `return redis.call('DEL', KEYS[1])`;

export interface RedisSessionStorageOptions {
  keyPrefix?: string;
  /** Kept this long after the last write; default 200 days, commercetools' refresh-token inactivity limit. */
  ttlSeconds?: number;
}

/**
 * A shopper's token in Redis under the app's session id, shared by every instance. A value that is
 * not a valid token reads as no session.
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
      const parsed = JSON.parse(value) as unknown;
      return isCtpAuthToken(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async set(token: CtpAuthToken): Promise<void> {
    // One SET: the stored value is the old token or the new one, never a mix.
    await this.#call('write', () => this.redis.eval(SET_SCRIPT, 1, this.#key, JSON.stringify(token), this.#ttlSeconds));
  }

  async clear(): Promise<void> {
    await this.#call('clear', () => this.redis.eval(DEL_SCRIPT, 1, this.#key));
  }

  async #call<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new CtpRedisError(CtpErrorCode.RedisUnavailable, `Redis failed to ${what} the shopper's session; check the Redis server.`, cause);
    }
  }
}
