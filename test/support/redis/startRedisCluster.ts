import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  url: string;
  /** The redis-server process: SIGKILL it to fail the master abruptly. */
  child: ChildProcess;
}

export interface RedisCluster {
  /** Every node's redis:// URL (with the password, if any): what an app passes as redis.clusterUrls. */
  urls: string[];
  nodes: ClusterNode[];
  /** The node serving `key`'s slot as master right now, and its live replica if it has one. */
  ownerOf(key: string): Promise<{ master: ClusterNode; replica?: ClusterNode }>;
  /** Runs redis-cli against one node: `cli(port, 'cluster', 'info')`. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** Resolves once every live node reports cluster_state:ok and agrees on one master per slot range. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Resolves once every live replica has applied all its master has written (nothing a failover could lose). */
  waitForReplication(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the cluster's temporary directory. */
  stop(): Promise<void>;
}

/**
 * Reserves `count` distinct free ports on 127.0.0.1 at once (all listeners open together, so the
 * kernel cannot hand out one twice). Redis Cluster needs a second port per node for its bus.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(server);
    }
    return servers.map((s) => {
      const address = s.address();
      return typeof address === 'object' && address ? address.port : 0;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function startNode(dir: string, port: number, busPort: number, password: string | undefined): Promise<ClusterNode> {
  const auth = password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
  // cluster-node-timeout 1 s: a killed master is declared failed, and its replica promoted, within a few seconds.
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--cluster-port',
      String(busPort),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      '1000',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      ...auth,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections'))
        resolve({ port, url: `redis://${password === undefined ? '' : `:${password}@`}127.0.0.1:${port}`, child });
    });
    child.once('error', (error) =>
      reject(new Error(`redis-server could not start (${error.message}); install it: apt-get install redis-server`)),
    );
    child.once('exit', (code) =>
      reject(new Error(`redis-server on ${port} exited with ${code}: ${output.slice(-500)}`)),
    );
  });
}

function stopNode(node: ClusterNode): Promise<void> {
  return new Promise<void>((resolve) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve();
    node.child.once('exit', () => resolve());
    node.child.kill('SIGKILL');
  });
}

/**
 * A real Redis Cluster on 127.0.0.1 (with `password`: requirepass and masterauth on every node):
 * three masters, one replica each, created with
 * `redis-cli --cluster create`, in a temporary directory that stop() removes. For one test file.
 * A second attempt on fresh ports if the first fails: a port found free can be taken by another
 * process (other test files start servers too) before redis-server binds it.
 */
export async function startRedisCluster(options: { password?: string } = {}): Promise<RedisCluster> {
  try {
    return await startOnce(options.password);
  } catch {
    return startOnce(options.password);
  }
}

async function startOnce(password: string | undefined): Promise<RedisCluster> {
  const auth = password === undefined ? [] : ['-a', password, '--no-auth-warning'];
  const dir = mkdtempSync(join(tmpdir(), 'ctp-redis-cluster-'));
  const nodes: ClusterNode[] = [];
  const cli = async (port: number, ...args: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...auth, ...args], { timeout: 10_000 })).stdout;
  const alive = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  const stop = async () => {
    await Promise.all(nodes.map(stopNode));
    rmSync(dir, { recursive: true, force: true });
  };

  const waitUntilHealthy = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: string;
    for (;;) {
      try {
        const live = alive();
        const infos = await Promise.all(live.map((n) => cli(n.port, 'cluster', 'info')));
        const views = await Promise.all(live.map((n) => cli(n.port, 'cluster', 'nodes')));
        const ok = infos.every((info) => info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384'));
        // Every node sees the same masters (no node still routes to a dead one).
        const agree = new Set(views.map((v) => mastersIn(v))).size === 1;
        if (ok && agree) return;
        last = infos.join(' | ').replace(/\s+/g, ' ').slice(0, 300);
      } catch (error) {
        last = String(error);
      }
      if (Date.now() > deadline) throw new Error(`Redis Cluster not healthy after ${timeoutMs} ms: ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  try {
    const ports = await freePorts(12);
    for (let i = 0; i < 6; i++) {
      const nodeDir = join(dir, `node-${i}`);
      await mkdir(nodeDir);
      nodes.push(await startNode(nodeDir, ports[i]!, ports[i + 6]!, password));
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
        ...auth,
      ],
      { timeout: 30_000 },
    );
    await waitUntilHealthy();
    await waitForReplicas(nodes, cli);
  } catch (error) {
    await stop();
    throw error;
  }

  const ownerOf = async (key: string) => {
    const asked = alive()[0]!.port;
    const slot = Number((await cli(asked, 'cluster', 'keyslot', key)).trim());
    // One node's view: `<id> <ip:port@bus> <flags> <master id> <ping> <pong> <epoch> <link> <slot ranges...>`.
    const lines = (await cli(asked, 'cluster', 'nodes'))
      .trim()
      .split('\n')
      .map((line) => line.trim().split(' '));
    const live = (f: string[]) => !f[2]!.includes('fail');
    const nodeAt = (f: string[]) => alive().find((n) => f[1]!.startsWith(`127.0.0.1:${n.port}@`));
    const master = lines.find((f) => f[2]!.includes('master') && live(f) && servesSlot(f.slice(8), slot));
    const masterNode = master && nodeAt(master);
    if (!master || !masterNode) throw new Error(`no live master serves slot ${slot}`);
    const replica = lines.find((f) => f[3] === master[0] && live(f));
    const replicaNode = replica && nodeAt(replica);
    return replicaNode ? { master: masterNode, replica: replicaNode } : { master: masterNode };
  };

  const waitForReplication = async (timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const infos = await Promise.all(alive().map((n) => cli(n.port, 'info', 'replication')));
      const lagging = infos.filter((info) => {
        if (!info.includes('role:master')) return false;
        const written = /master_repl_offset:(\d+)/.exec(info)?.[1];
        const applied = [...info.matchAll(/^slave\d+:.*offset=(\d+)/gm)].map((m) => m[1]);
        return applied.some((offset) => offset !== written);
      });
      if (lagging.length === 0) return;
      if (Date.now() > deadline) throw new Error(`Redis Cluster replicas still behind after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  return { urls: nodes.map((n) => n.url), nodes, ownerOf, cli, waitUntilHealthy, waitForReplication, stop };
}

function servesSlot(ranges: string[], slot: number): boolean {
  return ranges.some((range) => {
    const [from, to = from] = range.trim().split('-').map(Number);
    return from !== undefined && to !== undefined && slot >= from && slot <= to;
  });
}

/** The masters serving slots and not marked failed, from CLUSTER NODES: equal on every node once they agree. */
function mastersIn(nodesOutput: string): string {
  return nodesOutput
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter((f) => f.length > 8 && f[2]!.includes('master') && !f[2]!.includes('fail'))
    .map((f) => f[1]!.split('@')[0]!)
    .sort()
    .join(',');
}

async function waitForReplicas(
  nodes: ClusterNode[],
  cli: (port: number, ...args: string[]) => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const infos = await Promise.all(nodes.map((n) => cli(n.port, 'info', 'replication')));
    const replicas = infos.filter((i) => i.includes('role:slave'));
    if (replicas.length === 3 && replicas.every((i) => i.includes('master_link_status:up'))) return;
    if (Date.now() > deadline) throw new Error('Redis Cluster replicas did not sync within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}
