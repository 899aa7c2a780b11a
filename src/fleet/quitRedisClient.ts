/** What closing needs of a client the library made: ioredis fits. */
export interface QuittableRedis {
  quit(): Promise<unknown>;
  disconnect(): void;
  /** ioredis: 'end' once the connection is closed for good. */
  readonly status?: string;
  once?(event: 'end', listener: () => void): unknown;
}

/**
 * Closes a Redis client gracefully (QUIT: replies still due are delivered), but within about three
 * times `timeoutMs`: a Redis that does not answer must not hold a shutdown. Then disconnects in any
 * case, which also stops ioredis from reconnecting, and waits for the connection's end, so nothing
 * of the client keeps the process alive once this resolves.
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
  // createRedisClient sets ioredis' disconnectTimeout to timeoutMs: by then a socket the server does
  // not close is destroyed.
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
