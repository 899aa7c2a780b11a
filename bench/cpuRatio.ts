/** CPU microseconds per call of `fn`, over `n` sequential calls. */
export async function cpuPerCall(fn: () => Promise<unknown>, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i += 1) await fn();
  const used = process.cpuUsage(start);
  // Let the event loop turn between blocks, as a server's does between requests: timers (the API
  // deadline sweeper's tick) run, and what they hold for the calls of a tick is let go.
  await new Promise((resolve) => setImmediate(resolve));
  return (used.user + used.system) / n;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface CpuRatio {
  /** Median CPU µs per call of the baseline task. */
  base: number;
  /** Median CPU µs per call of the measured task. */
  measured: number;
  /** Median over the pairs of measured ÷ base. */
  ratio: number;
  ratios: number[];
  /** Median over the pairs of measured − base: CPU µs the measured task adds per call. */
  added: number;
}

/**
 * How much CPU time `measured` takes per call relative to `base`: the median of many short pairs of
 * blocks, run back to back with the order swapped every pair. CPU time of this process, not wall
 * time: on a machine shared with other work, wall time also counts the time the process waited for
 * a core, which drifts within seconds; CPU time hardly does.
 */
export async function cpuRatio(base: () => Promise<unknown>, measured: () => Promise<unknown>, pairs: number, callsPerBlock: number): Promise<CpuRatio> {
  const baseTimes: number[] = [];
  const measuredTimes: number[] = [];
  const ratios: number[] = [];
  const added: number[] = [];
  for (let i = 0; i < pairs; i += 1) {
    let b: number;
    let m: number;
    if (i % 2 === 0) {
      b = await cpuPerCall(base, callsPerBlock);
      m = await cpuPerCall(measured, callsPerBlock);
    } else {
      m = await cpuPerCall(measured, callsPerBlock);
      b = await cpuPerCall(base, callsPerBlock);
    }
    baseTimes.push(b);
    measuredTimes.push(m);
    ratios.push(m / b);
    added.push(m - b);
  }
  return { base: median(baseTimes), measured: median(measuredTimes), ratio: median(ratios), ratios, added: median(added) };
}
