import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { startWorker } from '../test/support/fleet/startWorker';
import { startRedis } from '../test/support/redis/startRedis';
import { expiredFleetSession, startServer, workerEnv } from './benchConfig';
import { table, type Section } from './markdown';

const PROCESSES = 4;
const CALLS = 50;

async function wave(coordinated: boolean): Promise<{ refreshes: number; errors: number }> {
  const redisServer = await startRedis();
  const redis = new Redis(redisServer.url);
  const server = await startServer();
  try {
    await expiredFleetSession(server, redis, 'fleet-session');
    const workers = Array.from({ length: PROCESSES }, () =>
      startWorker(
        workerEnv(server, redisServer.url, {
          FLEET_TASK: 'refresh',
          FLEET_SESSION_ID: 'fleet-session',
          FLEET_CONCURRENCY: String(CALLS),
          ...(coordinated ? {} : { FLEET_NO_REDIS_LOCK: '1' }),
        }),
      ),
    );
    await Promise.all(workers.map((w) => w.ready));
    workers.forEach((w) => w.go());
    const results = await Promise.all(workers.map((w) => w.result));
    return { refreshes: server.grants.refresh_token, errors: results.reduce((n, r) => n + r.errors.length, 0) };
  } finally {
    redis.disconnect();
    await server.stop();
    await redisServer.stop();
  }
}

export async function fleetGrants(): Promise<Section> {
  const title = `Fleet grants: ${PROCESSES} processes x ${CALLS} calls, one refresh wave`;
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return {
      title,
      goal: '1 refresh with the Redis lock',
      met: undefined,
      body: 'skipped: redis-server is not installed (apt-get install redis-server)',
    };
  }
  const locked = await wave(true);
  const perProcess = await wave(false);
  return {
    title,
    goal: '1 refresh grant for the whole fleet with the Redis lock',
    met: locked.refreshes === 1 && locked.errors === 0,
    body: table(
      ['coordination', 'refresh grants', 'failed calls'],
      [
        ['Redis lock (ctp-client with redis)', locked.refreshes, locked.errors],
        ['per process (same Redis session store, no lock)', perProcess.refreshes, perProcess.errors],
      ],
    ),
    notes: [
      'Child processes, one session stored in a real redis-server, its token expired; the strict local server counts grants.',
    ],
  };
}
