// Redis commands per instance for a grant, a refresh wave and API calls, at 1, 4 and 16 instances,
// counted by Redis itself (INFO commandstats after CONFIG RESETSTAT). Alone:
// node --import tsx bench/redisCommands.ts
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FLEET_CUSTOMER, measureFleetCosts, type FleetCost } from '../test/support/fleet/redisFleetCosts';
import { startRedis } from '../test/support/redis/startRedis';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../test/support/strict/createStrictHarness';
import { StrictCommercetools } from '../test/support/strict/StrictCommercetools';
import { fmt, table, type Section } from './markdown';

export const INSTANCES = [1, 4, 16] as const;
const CALLS_PER_INSTANCE = 10;

/** One measured point, for tables and charts. */
export interface RedisCommandRow {
  scenario: FleetCost['scenario'];
  instances: number;
  /** Grants of the scenario for the whole fleet (client_credentials, refresh_token; 0 for API calls). */
  grants: number;
  /** Commands Redis executed per instance, those inside Lua scripts included. */
  commandsPerInstance: number;
  /** Commands each instance sent (round trips). */
  roundTripsPerInstance: number;
}

/**
 * Each instance count on a fresh strict commercetools and a flushed redis-server: a cold grant of
 * the integration token, a refresh wave on one expired session, then API calls on valid tokens;
 * every instance makes CALLS_PER_INSTANCE concurrent calls in each. Empty if redis-server is missing.
 */
export async function redisCommands(): Promise<RedisCommandRow[]> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return [];
  const redis = await startRedis();
  const rows: RedisCommandRow[] = [];
  try {
    for (const instances of INSTANCES) {
      const server = await new StrictCommercetools().start();
      server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
      server.addCustomer(FLEET_CUSTOMER.email, FLEET_CUSTOMER.password);
      try {
        const costs = await measureFleetCosts({
          redisUrl: redis.url,
          server,
          instances,
          callsPerInstance: CALLS_PER_INSTANCE,
        });
        rows.push(
          ...costs.map((c) => ({
            scenario: c.scenario,
            instances,
            grants: c.grants,
            commandsPerInstance: c.commandsPerInstance,
            roundTripsPerInstance: c.roundTripsPerInstance,
          })),
        );
      } finally {
        await server.stop();
      }
    }
  } finally {
    await redis.stop();
  }
  return rows;
}

/** The section of bench/results.md. */
export async function redisCommandsSection(): Promise<Section> {
  const title = `Redis commands per instance: grant, refresh wave, API call (1, 4, 16 instances x ${CALLS_PER_INSTANCE} concurrent calls)`;
  const goal =
    '0 commands for an API call on valid tokens; 1 grant and a bounded number of commands per instance for a refresh wave of 16 instances';
  const rows = await redisCommands();
  if (rows.length === 0)
    return {
      title,
      goal,
      met: undefined,
      body: 'skipped: redis-server is not installed (apt-get install redis-server)',
    };
  const at = (scenario: string, instances: number) =>
    rows.find((r) => r.scenario === scenario && r.instances === instances)!;
  const met =
    INSTANCES.every((n) => at('api call', n).commandsPerInstance === 0) &&
    at('refresh', 16).grants === 1 &&
    at('refresh', 16).commandsPerInstance <= 14;
  return {
    title,
    goal,
    met,
    body: table(
      ['scenario', 'instances', 'grants (fleet)', 'commands executed / instance', 'commands sent / instance'],
      rows.map((r) => [
        r.scenario,
        r.instances,
        r.grants,
        fmt(r.commandsPerInstance, 1),
        fmt(r.roundTripsPerInstance, 1),
      ]),
    ),
    notes: [
      "Counted by Redis (INFO commandstats after CONFIG RESETSTAT): 'executed' includes the commands inside Lua scripts; 'sent' counts the instances' own commands (each script is one). Connection handshakes (HELLO, INFO) are not counted; each subscriber connection's one SUBSCRIBE is.",
      'Instances run in this process, each with its own Redis connections, services and session cache; what Redis receives is what separate processes would send.',
      'grant: every instance cold, one client_credentials grant, waiters woken by its PUBLISH. refresh: the session expired in Redis, every cache told so. API call: one customer and one integration call each, tokens valid and cached.',
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const section = await redisCommandsSection();
  process.stdout.write(`${section.body}\n`);
  process.exit(0);
}
