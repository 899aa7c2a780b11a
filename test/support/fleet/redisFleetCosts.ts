import Redis from 'ioredis';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import type { RedisLike, RedisSubscriber } from '../../../src/fleet/RedisLike';
import { HEARTBEAT_SCRIPT } from '../../../src/fleet/RedisEvents';
import { RedisSessionStorage } from '../../../src/fleet/RedisSessionStorage';
import { createCtpServices, type CtpServices } from '../../../src/module/createCtpServices';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { commandStats, resetCommandStats } from '../redis/commandStats';
import { STRICT_CLIENT } from '../strict/createStrictHarness';
import type { StrictCommercetools } from '../strict/StrictCommercetools';
import { putToken } from '../session/storedToken';

/** The app's client as the library sees it, counting the commands it is asked to send (round trips). */
class CountingRedis implements RedisLike {
  sent = 0;
  constructor(readonly inner: Redis) {}
  get(key: string): Promise<string | null> {
    this.sent += 1;
    return this.inner.get(key);
  }
  /** Heartbeats of the subscriber's delivery check (src/fleet/DeliveryWatch): sent whatever the app does, so counted apart. */
  heartbeats = 0;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown> {
    if (script === HEARTBEAT_SCRIPT) this.heartbeats += 1;
    else this.sent += 1;
    return this.inner.eval(script, numKeys, ...args);
  }
  duplicate(override?: Record<string, unknown>): RedisSubscriber {
    return this.inner.duplicate(override);
  }
}

/** One app instance: its own Redis connection, services and cache, as a separate process would have. */
export interface FleetInstance {
  services: CtpServices;
  client: CountingRedis;
  storage(): RedisSessionStorage;
}

export interface FleetCost {
  scenario: 'grant' | 'refresh' | 'api call';
  instances: number;
  callsPerInstance: number;
  /** Grants the auth server answered during the scenario (client_credentials for `grant`, refresh_token for `refresh`). */
  grants: number;
  /** Redis's own count (INFO commandstats) of the commands executed, those inside Lua scripts included. */
  commands: number;
  commandsPerInstance: number;
  /** Commands the instances sent (round trips), counted at their client; SUBSCRIBE of the subscriber connections and heartbeats not included. */
  roundTripsPerInstance: number;
  byCommand: Record<string, number>;
}

const SESSION = 'wave-session';
export const FLEET_CUSTOMER = { email: 'wave@example.com', password: 'Wave-Pa55word!' };

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/**
 * Measures, against a real redis-server and the strict local commercetools, what a cold grant of
 * the integration token, a refresh wave on one expired session, and API calls on valid tokens cost
 * in Redis commands for `instances` app instances, each making `callsPerInstance` concurrent calls.
 * The instances live in this process, each with its own connections, services and cache: what Redis
 * receives is what separate processes would send. The server must know FLEET_CUSTOMER.
 */
export async function measureFleetCosts(o: {
  redisUrl: string;
  server: StrictCommercetools;
  instances: number;
  callsPerInstance: number;
}): Promise<FleetCost[]> {
  const admin = new Redis(o.redisUrl);
  await admin.flushall();
  const config = createCtpConfig({
    projectKey: o.server.projectKey,
    clientId: STRICT_CLIENT.id,
    clientSecret: STRICT_CLIENT.secret,
    authUrl: o.server.url,
    apiUrl: o.server.url,
  });
  const fleet: FleetInstance[] = Array.from({ length: o.instances }, () => {
    const client = new CountingRedis(new Redis(o.redisUrl, { commandTimeout: 10_000, maxRetriesPerRequest: 1 }));
    const services = createCtpServices(config, { redis: { client } });
    return {
      services,
      client,
      storage: () => new RedisSessionStorage(client, SESSION, { cache: services.sessionCache }),
    };
  });
  const costs: FleetCost[] = [];
  const measure = async (
    scenario: FleetCost['scenario'],
    grantsOf: () => number,
    call: (instance: FleetInstance) => Promise<unknown>,
  ) => {
    await resetCommandStats(admin);
    for (const instance of fleet) instance.client.sent = 0;
    const before = grantsOf();
    await Promise.all(fleet.flatMap((instance) => Array.from({ length: o.callsPerInstance }, () => call(instance))));
    const stats = await commandStats(admin);
    const sent = fleet.reduce((n, instance) => n + instance.client.sent, 0);
    costs.push({
      scenario,
      instances: o.instances,
      callsPerInstance: o.callsPerInstance,
      grants: grantsOf() - before,
      commands: stats.total,
      commandsPerInstance: stats.total / o.instances,
      roundTripsPerInstance: sent / o.instances,
      byCommand: stats.byCommand,
    });
  };
  const integrationCall = async (instance: FleetInstance) =>
    (await instance.services.client.integrationApiRoot()).categories().withId({ ID: 'c1' }).get().execute();
  const customerCall = (instance: FleetInstance) =>
    runWithCtpSession(instance.storage(), async () =>
      (await instance.services.client.customerApiRoot()).me().get().execute(),
    );
  const cached = (instance: FleetInstance) => instance.services.sessionCache?.lookup(SESSION);
  try {
    // Every instance starts cold: one grant for the fleet, the others wait for its publication.
    await measure('grant', () => o.server.grants.client_credentials, integrationCall);

    const signedIn = await runWithCtpSession(fleet[0]!.storage(), () =>
      fleet[0]!.services.session.login(FLEET_CUSTOMER.email, FLEET_CUSTOMER.password),
    );
    // Each instance has read the session once its subscription was confirmed, so its cache holds it.
    for (const instance of fleet)
      await until(
        async () => (await instance.storage().get(), cached(instance)?.a === signedIn.accessToken),
        'every cache holds the session',
      );

    // The session expires: written as another instance would, which every cache hears of.
    const expired: CtpAuthToken = { ...signedIn, issuedAt: Date.now() - 7_200_000, expiresAt: Date.now() - 1_000 };
    await putToken(new RedisSessionStorage(admin, SESSION, { cache: false }), expired);
    for (const instance of fleet) await until(() => cached(instance) === undefined, 'every cache dropped the session');
    await measure('refresh', () => o.server.grants.refresh_token, customerCall);

    for (const instance of fleet)
      await until(
        async () => (await instance.storage().get(), cached(instance) !== undefined),
        'every cache holds the refreshed session',
      );
    await measure(
      'api call',
      () => o.server.grants.client_credentials + o.server.grants.refresh_token,
      async (instance) => Promise.all([customerCall(instance), integrationCall(instance)]),
    );
    return costs;
  } finally {
    await Promise.all(fleet.map((instance) => instance.services.close()));
    await Promise.all(fleet.map((instance) => instance.client.inner.quit()));
    await admin.quit();
  }
}
