import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { startWorker } from '../test/support/fleet/startWorker';
import { startRedis } from '../test/support/redis/startRedis';
import { expiredFleetSession, startServer, workerEnv } from './benchConfig';
import { chartFile } from './chartFiles';
import { fmt, table, type Section } from './markdown';

const INSTANCES = [1, 4, 16];
const CALLS = 50;
type WaveKind = 'refresh' | 'grant';

// Connection set-up and the bench's own statistics calls, not the waves' work: ioredis's ready
// check (INFO), a late worker's handshake, CONFIG RESETSTAT and the closing QUIT.
const NOT_COUNTED = /^(info|config\|.*|quit|client\|.*|hello|select|ping|command(\|.*)?)$/;

interface Wave {
  instances: number;
  grants: number;
  commands: number;
  scripts: number;
  byCommand: Map<string, number>;
  ok: number;
  failed: string[];
}

/** `cmdstat_get:calls=5,usec=...` lines as command → calls. */
function commandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

/**
 * One wave on a fresh redis-server (free port) and strict server: `instances` child processes of
 * CALLS concurrent calls each. Redis's own counters are reset once every instance is connected and
 * read after the last one reported, so they hold the wave and nothing else.
 */
async function wave(kind: WaveKind, instances: number): Promise<Wave> {
  const redisServer = await startRedis();
  const redis = new Redis(redisServer.url);
  const server = await startServer();
  try {
    if (kind === 'refresh') await expiredFleetSession(server, redis, 'fleet-session');
    const workers = Array.from({ length: instances }, () =>
      startWorker(
        workerEnv(server, redisServer.url, {
          FLEET_TASK: kind,
          FLEET_SESSION_ID: 'fleet-session',
          FLEET_CONCURRENCY: String(CALLS),
        }),
      ),
    );
    await Promise.all(workers.map((w) => w.ready));
    const grantsBefore = { ...server.grants };
    await redis.config('RESETSTAT');
    workers.forEach((w) => w.go());
    const results = await Promise.all(workers.map((w) => w.result));
    const byCommand = new Map(
      [...commandStats(await redis.info('commandstats'))].filter(([name]) => !NOT_COUNTED.test(name)),
    );
    const grants =
      kind === 'refresh'
        ? server.grants.refresh_token - grantsBefore.refresh_token
        : server.grants.client_credentials -
          grantsBefore.client_credentials +
          (server.grants.anonymous - grantsBefore.anonymous);
    return {
      instances,
      grants,
      commands: [...byCommand.values()].reduce((a, b) => a + b, 0),
      scripts: (byCommand.get('evalsha') ?? 0) + (byCommand.get('eval') ?? 0),
      byCommand,
      ok: results.reduce((n, r) => n + r.ok, 0),
      failed: results.flatMap((r) => r.errors),
    };
  } finally {
    redis.disconnect();
    await server.stop();
    await redisServer.stop();
  }
}

const WAVES: Record<WaveKind, string> = {
  refresh: 'refresh wave: one session whose token expired, every call customerApiRoot() + GET /me',
  grant: 'grant wave: cold instances, every call integrationApiRoot() + guestApiRoot()',
};

export async function fleetScaling(): Promise<Section> {
  const title = `Redis commands and grants against instances (${INSTANCES.join(', ')})`;
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return {
      title,
      goal: '1 refresh grant per refresh wave',
      met: undefined,
      body: 'skipped: redis-server is not installed (apt-get install redis-server)',
    };
  }
  const waves: Record<WaveKind, Wave[]> = { refresh: [], grant: [] };
  for (const kind of ['refresh', 'grant'] as const) for (const n of INSTANCES) waves[kind].push(await wave(kind, n));

  const rows = (['refresh', 'grant'] as const).flatMap((kind) =>
    waves[kind].map((w) => [
      kind,
      w.instances,
      fmt(w.instances * CALLS),
      w.grants,
      fmt(w.commands),
      fmt(w.commands / w.instances, 1),
      w.scripts,
      [...w.byCommand]
        .sort((a, b) => b[1] - a[1])
        .map(([name, calls]) => `${name} ${calls}`)
        .join(', ') || '-',
      w.failed.length ? `${w.failed.length} (${[...new Set(w.failed)].join(', ')})` : 0,
    ]),
  );
  const refreshOk = waves.refresh.every((w) => w.grants === 1 && w.failed.length === 0);
  const charts = [
    await chartFile('fleet-redis-commands.svg', {
      title: 'Redis commands per wave against instances',
      x: { title: `instances (${CALLS} concurrent calls each)`, scale: 'log' },
      y: { title: 'Redis commands (INFO commandstats)', scale: 'log' },
      points: (['refresh', 'grant'] as const).flatMap((kind) =>
        waves[kind].map((w) => ({ x: w.instances, y: Math.max(w.commands, 1), series: `${kind} wave` })),
      ),
    }),
    await chartFile('fleet-grants.svg', {
      title: 'Grants per wave against instances',
      x: { title: `instances (${CALLS} concurrent calls each)`, scale: 'log' },
      y: { title: 'grants at the auth server' },
      points: (['refresh', 'grant'] as const).flatMap((kind) =>
        waves[kind].map((w) => ({ x: w.instances, y: w.grants, series: `${kind} wave` })),
      ),
    }),
  ];
  return {
    title,
    goal: '1 refresh grant for the whole fleet in every refresh wave, no failed call (Redis command counts are reported; the issue bounds them per instance without a number)',
    met: refreshOk,
    body: `${table(['wave', 'instances', 'calls', 'grants', 'Redis commands', 'per instance', 'scripts run', 'by command', 'failed calls'], rows)}\n\n${charts.join('\n\n')}`,
    notes: [
      `${WAVES.refresh}; ${WAVES.grant} (grants = client_credentials + anonymous).`,
      'Child processes (not threads) with their own ioredis client, a redis-server the bench starts on a free port, the strict local server on 127.0.0.1 counting grants.',
      'Redis commands: INFO commandstats after CONFIG RESETSTAT, taken once every instance printed ready and read after the last reported; commands run inside a Lua script (EVAL/EVALSHA, "scripts run") are counted too, under their own names. Not counted: INFO, CONFIG, CLIENT, HELLO, SELECT, PING, COMMAND, QUIT (connection set-up and the bench\'s own calls).',
      `Instances wait for another's grant as src/fleet at this commit does (the fleet worker sets pollMs 20).`,
    ],
  };
}
