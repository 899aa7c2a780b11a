/** What closing needs of a client the library made: ioredis fits. */
export interface QuittableRedis {
  quit(): Promise<unknown>;
  disconnect(): void;
  /** ioredis: 'end' once the connection is closed for good. */
  readonly status?: string;
  once?(event: 'end', listener: () => void): unknown;
}

/**
 * Closes a client gracefully (QUIT delivers the replies still due) within about 3 x `timeoutMs`, so a
 * Redis that does not answer cannot hold a shutdown; then disconnects (which stops ioredis
 * reconnecting) and waits for the end, so nothing of the client keeps the process alive.
 */
export async function quitRedisClient(client: QuittableRedis, timeoutMs: number): Promise<void> {
  const ended = new Promise<void>((resolve) => {
    if (client.status === 'end' || client.once === undefined) resolve();
    else client.once('end', resolve);
  });
  try {
    await within(client.quit(), timeoutMs);
  } catch {
    // Already closed or the connection broke: disconnecting below is all that is left to do.
  }
  client.disconnect();
  // ioredis' disconnectTimeout (timeoutMs, set by createRedisClient) destroys a socket the server does not close.
  await within(ended, 2 * timeoutMs);
}

async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
