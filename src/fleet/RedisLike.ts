/**
 * The Redis commands the library uses: GET, and Lua scripts for everything that writes (each script
 * runs atomically, and PUBLISHes its change from inside). An ioredis client fits as it is.
 */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /**
   * Optional (ioredis has it): a second connection for the process's subscriber. Without it other
   * instances' changes are not heard: waiting instances poll, RedisSessionStorage reads Redis on every call.
   */
  duplicate?(
    overrideOrStartupNodes?: Record<string, unknown> | unknown[],
    override?: Record<string, unknown>,
  ): {
    // Written out (not named types) so the public surface stays small.
    subscribe(...channels: string[]): Promise<unknown>;
    /** ioredis: the current socket. */
    readonly stream?: { unref?(): unknown } | undefined;
    on(event: 'message', listener: (channel: string, message: string) => void): unknown;
    on(event: 'ready' | 'close' | 'connect', listener: () => void): unknown;
    on(event: 'error', listener: (error: Error) => void): unknown;
    quit(): Promise<unknown>;
    disconnect(): void;
    /** ioredis: 'end' once the connection is closed for good. */
    readonly status?: string;
    once?(event: 'end', listener: () => void): unknown;
  };
  /** ioredis `Cluster`: its duplicate() takes the startup nodes first. */
  readonly isCluster?: boolean;
}

export type RedisSubscriber = ReturnType<NonNullable<RedisLike['duplicate']>>;
