import { createCtpConfig } from '../src/config/createCtpConfig';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../test/support/strict/createStrictHarness';
import { StrictCommercetools } from '../test/support/strict/StrictCommercetools';

export { STRICT_CLIENT };

/** A fresh strict commercetools on 127.0.0.1 with the client and one customer. */
export async function startServer(): Promise<StrictCommercetools> {
  const server = await new StrictCommercetools().start();
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
  server.addCustomer('bench@example.com', 'Bench-Pa55word!');
  return server;
}

export function configFor(server: StrictCommercetools) {
  return createCtpConfig({ projectKey: server.projectKey, clientId: STRICT_CLIENT.id, clientSecret: STRICT_CLIENT.secret, authUrl: server.url, apiUrl: server.url });
}

/** Resolves with the value, or 'timeout' (a client that hangs is reported, not waited for). */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([work.finally(() => clearTimeout(timer)), new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
}
