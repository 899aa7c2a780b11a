import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import * as v2 from '@commercetools/sdk-client-v2';
import * as tsClient from '@commercetools/ts-client';
import type { ApiEngineName } from '../src/client/ApiEngine';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** The bare SDK builder of one engine: its existing-token and HTTP middlewares, nothing of ours, over `fetch`. */
export function bareBuilder(engine: ApiEngineName, host: string, fetch: Fetch): ByProjectKeyRequestBuilder {
  const client =
    engine === 'ts-client'
      ? tsClient.createClient({
          middlewares: [
            tsClient.createAuthMiddlewareForExistingTokenFlow('Bearer access-token-for-bench', { force: true }),
            tsClient.createHttpMiddleware({ host, httpClient: fetch as tsClient.HttpClientOptions['httpClient'] }),
          ],
        })
      : v2.createClient({ middlewares: [v2.createAuthWithExistingToken('Bearer access-token-for-bench', { force: true }), v2.createHttpClient({ host, fetch })] });
  return createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: 'bench' });
}

/** A signed-in shopper's session in process memory whose token needs no renewal for two days. */
export function benchSession(): MemorySessionStorage {
  return new MemorySessionStorage('s', {
    kind: 'customer',
    accessToken: 'access-token-for-bench',
    refreshToken: 'refresh-token-for-bench',
    issuedAt: Date.now(),
    expiresAt: Date.now() + 48 * 3_600_000,
    scopes: ['manage_my_profile:bench'],
    customerId: 'customer-1',
  });
}
