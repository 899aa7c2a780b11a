import { afterEach, describe, expect, it } from 'vitest';
import type { SharedToken } from '../../../src/auth/CtpAuthToken';
import type { FetchLike } from '../../../src/auth/AuthTransport';
import { SharedTokenProvider } from '../../../src/tokens/SharedTokenProvider';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { RedisCoordinator } from '../../../src/fleet/RedisCoordinator';
import type { CtpModuleOptions } from '../../../src/module/CtpModuleOptions';
import { wireCtpServices as createCtpServices } from '../../../src/module/createCtpServices';
import { CapturingLogger } from '../../support/createTestServices';
import { useRedis } from '../../support/redis/useRedis';
import { ALL_DEFAULT_SCOPES } from '../../support/strict/createStrictHarness';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';

// Services of different teams on one Redis, with default options (same key prefix): the shared
// token cache must keep them apart by who the token is for.
const redis = useRedis();
let server: StrictCommercetools;

afterEach(async () => {
  await server?.stop();
});

const CLIENTS = {
  a: { id: 'team-a-client', secret: 'team-a-secret-0123456789' },
  b: { id: 'team-b-client', secret: 'team-b-secret-0123456789' },
};

async function startServer() {
  server = await new StrictCommercetools().start();
  for (const c of Object.values(CLIENTS)) server.addClient(c.id, c.secret, ALL_DEFAULT_SCOPES);
}

/** A service on the shared Redis that records the bearer token of each API call it makes. */
function service(client: { id: string; secret: string }, options: CtpModuleOptions = {}) {
  const bearers: string[] = [];
  const fetch: FetchLike = (input, init) => {
    const auth = new Headers(init.headers).get('authorization') ?? '';
    if (auth.startsWith('Bearer ')) bearers.push(auth.slice('Bearer '.length));
    return globalThis.fetch(input, init);
  };
  const config = createCtpConfig({
    projectKey: server.projectKey,
    clientId: client.id,
    clientSecret: client.secret,
    authUrl: server.url,
    apiUrl: server.url,
  });
  const services = createCtpServices(config, { redis: { client: redis }, fetch, ...options });
  /** Who the server issued a token to, and with which scopes. */
  const issued = (token: string) => server.accessTokens.get(token);
  return { ...services, bearers, issued };
}

async function readCategory(s: ReturnType<typeof service>) {
  await (await s.client.integrationApiRoot()).categories().withId({ ID: 'c1' }).get().execute();
  return s.bearers.at(-1)!;
}

describe('shared tokens on one Redis', () => {
  describe('when two services use different API clients', () => {
    it("should never hand one service the other's integration or guest token", async () => {
      await startServer();
      const a = service(CLIENTS.a);
      const b = service(CLIENTS.b);
      expect(a.issued(await readCategory(a))?.clientId).toBe(CLIENTS.a.id);
      expect(b.issued(await readCategory(b))?.clientId).toBe(CLIENTS.b.id);
      await (await a.client.guestApiRoot()).productProjections().get().execute();
      await (await b.client.guestApiRoot()).productProjections().get().execute();
      expect(a.issued(a.bearers.at(-1)!)?.clientId).toBe(CLIENTS.a.id);
      expect(b.issued(b.bearers.at(-1)!)?.clientId).toBe(CLIENTS.b.id);
      expect(server.grants.client_credentials).toBe(2);
      expect(server.grants.anonymous).toBe(2);
      // Another instance of team A still reuses team A's tokens: the cache keeps working.
      const a2 = service(CLIENTS.a);
      expect(await readCategory(a2)).toBe(a.bearers[0]);
      expect(server.grants.client_credentials).toBe(2);
    });
  });

  describe('when two services use one API client with different scope sets', () => {
    it('should give the read-only service a token with exactly its own scopes', async () => {
      await startServer();
      const writer = service(CLIENTS.a);
      const reader = service(CLIENTS.a, { scopes: { integration: ['view_categories'] } });
      const writerToken = await readCategory(writer);
      const readerToken = await readCategory(reader);
      expect(readerToken).not.toBe(writerToken);
      expect(reader.issued(readerToken)?.scopes).toEqual([`view_categories:${server.projectKey}`]);
      expect(writer.issued(writerToken)?.scopes).toContain(`manage_orders:${server.projectKey}`);
    });
  });

  describe("when the cache holds a token under this service's key whose scopes differ from its set", () => {
    it('should not use it and grant its own', async () => {
      await startServer();
      const writer = service(CLIENTS.a);
      const broad = await readCategory(writer);
      const reader = service(CLIENTS.a, { scopes: { integration: ['view_categories'] } });
      // Planted as an older version or a misbehaving instance would: the broad token under the reader's key.
      const planted: SharedToken = {
        accessToken: broad,
        issuedAt: Date.now(),
        expiresAt: Date.now() + 3_600_000,
        scopes: writer.registry.scopes('integration'),
      };
      const fleet = new RedisCoordinator({
        redis,
        keyPrefix: 'ctp:',
        lockTtlMs: 1_000,
        lockWaitMs: 1_000,
        pollMs: 10,
        clock: { now: () => Date.now() },
        sleep: async () => undefined,
        logger: new CapturingLogger(),
      });
      const readerId = {
        name: 'integration' as const,
        authUrl: server.url,
        projectKey: server.projectKey,
        clientId: CLIENTS.a.id,
        scope: reader.registry.scopeParameter('integration'),
      };
      await fleet.shared(
        readerId,
        async () => planted,
        () => true,
      );
      const used = await readCategory(reader);
      expect(used).not.toBe(broad);
      expect(reader.issued(used)?.scopes).toEqual([`view_categories:${server.projectKey}`]);
    });
  });

  describe("when the API refused the fleet's cached token", () => {
    it('should not take the refused token back from the cache but grant a new one', async () => {
      await startServer();
      const first = service(CLIENTS.a);
      const refused = await readCategory(first);
      server.revokeAccessToken(refused);
      // A second instance starts with the refused token in the fleet's cache: its call gets a 401,
      // and the renewal must not read the same token again.
      const second = service(CLIENTS.a);
      const used = await readCategory(second);
      expect(second.bearers).toEqual([refused, used]);
      expect(used).not.toBe(refused);
      expect(server.grants.client_credentials).toBe(2);
    });
  });
});

describe(SharedTokenProvider, () => {
  describe('.get', () => {
    describe("when the fleet offers a token that is not exactly this instance's scopes", () => {
      it('should grant instead', async () => {
        const offered: SharedToken = {
          accessToken: 'foreign',
          issuedAt: Date.now(),
          expiresAt: Date.now() + 3_600_000,
          scopes: ['view_categories:p', 'manage_orders:p'],
        };
        const own: SharedToken = { ...offered, accessToken: 'own', scopes: ['view_categories:p'] };
        const seen: boolean[] = [];
        const provider = new SharedTokenProvider({
          id: {
            name: 'integration',
            authUrl: 'https://auth.example',
            projectKey: 'p',
            clientId: 'c',
            scope: 'view_categories:p',
          },
          scopes: ['view_categories:p'],
          grant: async () => own,
          clock: { now: () => Date.now() },
          logger: new CapturingLogger(),
          coordinator: {
            shared: async (_id, grant, isFresh) => {
              seen.push(isFresh(offered), isFresh({ ...offered, scopes: [] }), isFresh(own));
              return isFresh(offered) ? offered : grant();
            },
            refresh: async () => Promise.reject(new Error('unused')),
            endLineage: async () => undefined,
          },
        });
        await expect(provider.get()).resolves.toBe(own);
        expect(seen).toEqual([false, false, true]);
      });
    });
  });
});
