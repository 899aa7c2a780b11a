/**
 * The Redis commands the library uses: GET, and Lua scripts for everything that writes (each script
 * runs atomically). An ioredis client fits as it is.
 */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}
