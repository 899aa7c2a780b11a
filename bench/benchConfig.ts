import { toStoredSession } from '../src/auth/StoredSession';
import { createCtpConfig, createCtpServices, RedisSessionStorage, runWithCtpSession } from '../src/index';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../test/support/strict/createStrictHarness';
import { StrictCommercetools } from '../test/support/strict/StrictCommercetools';

export { STRICT_CLIENT };

/** A fresh strict commercetools on 127.0.0.1 with the client and one customer; `now` its clock (the real one unless given). */
export async function startServer(now?: () => number): Promise<StrictCommercetools> {
  const server = await new StrictCommercetools(now ? { now } : {}).start();
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
  server.addCustomer('bench@example.com', 'Bench-Pa55word!');
  return server;
}

export function configFor(server: StrictCommercetools) {
  return createCtpConfig({
    projectKey: server.projectKey,
    clientId: STRICT_CLIENT.id,
    clientSecret: STRICT_CLIENT.secret,
    authUrl: server.url,
    apiUrl: server.url,
  });
}

/** The bench customer signed in to session `sessionId` on Redis, its tokens then expired: the next call of any instance refreshes. */
export async function expiredFleetSession(
  server: StrictCommercetools,
  redis: ConstructorParameters<typeof RedisSessionStorage>[0],
  sessionId: string,
): Promise<void> {
  const storage = new RedisSessionStorage(redis, sessionId);
  const token = await runWithCtpSession(storage, () =>
    createCtpServices(configFor(server)).session.login('bench@example.com', 'Bench-Pa55word!'),
  );
  await storage.compareAndSet(
    await storage.get({ fresh: true }),
    toStoredSession({ ...token, issuedAt: Date.now() - 7_200_000, expiresAt: Date.now() - 1_000 }),
  );
}

/** The environment of a test/support/fleet worker process on `server` and the Redis at `redisUrl`. */
export function workerEnv(
  server: StrictCommercetools,
  redisUrl: string,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    FLEET_URL: server.url,
    FLEET_PROJECT: server.projectKey,
    FLEET_CLIENT_ID: STRICT_CLIENT.id,
    FLEET_CLIENT_SECRET: STRICT_CLIENT.secret,
    FLEET_REDIS_URL: redisUrl,
    ...extra,
  };
}

/** Resolves with the value, or 'timeout' (a client that hangs is reported, not waited for). */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    work.finally(() => clearTimeout(timer)),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
  ]);
}

/**
 * authTimeoutMs for the bench's services: a burst of hundreds of grants to the local fake on a loaded
 * 2-core machine can take longer than the 3 s default per attempt; the bench measures grants, round
 * trips and latency, not the auth host's time-outs.
 */
export const BENCH_AUTH_TIMEOUT_MS = 30_000;
