/** What closing needs of a client the library made: ioredis fits. */
export interface QuittableRedis {
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * Closes a Redis client gracefully (QUIT: replies still due are delivered), but within `timeoutMs`:
 * a Redis that does not answer must not hold a shutdown. Then disconnects in any case, which also
 * stops ioredis from reconnecting, so nothing of the client keeps the process alive.
 */
export async function quitRedisClient(client: QuittableRedis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([client.quit(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  } catch {
    // Already closed or the connection broke: disconnecting below is all that is left to do.
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
