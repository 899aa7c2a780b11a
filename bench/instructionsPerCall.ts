// Counts the machine instructions one call executes, under valgrind's callgrind: a measure of the
// per-call path that does not move with the machine's load (not part of npm run bench; needs
// valgrind and esbuild). Each task runs W warm-up calls, then N calls; the difference between two
// runs with N1 and N2 calls, divided by N2 - N1, is the steady-state cost of one call, start-up,
// compilation and warm-up cancelled out. Node runs --single-threaded, so GC and the compiler's work
// are counted on the one thread callgrind follows.
// The total is split into the garbage collector, the compilers and the rest (the program itself):
// a collection falls into one run and not the other, so the first two move by a few thousand
// instructions from run to run, the rest by a few hundred.
//   node --import tsx bench/instructionsPerCall.ts            # ENGINE=ts-client for the other engine
//   NODE=/path/to/node TASKS=bareasync,full N2=14000 node --import tsx bench/instructionsPerCall.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const engine = process.env.ENGINE ?? 'sdk-client-v2';
const tasks = (process.env.TASKS ?? 'bareasync,full').split(',');
const [N1, N2] = [Number(process.env.N1 ?? 2000), Number(process.env.N2 ?? 14000)];
const WARMUP = Number(process.env.WARMUP ?? 3000);
const dir = mkdtempSync(join(tmpdir(), 'ctp-instr-'));
const bundle = join(dir, 'harness.mjs');
await build({
  entryPoints: [new URL('./instructionsHarness.ts', import.meta.url).pathname],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundle,
  banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
  logLevel: 'error',
});

const node = process.env.NODE ?? process.execPath;
const GC = /Scaveng|MarkCompact|Marking|Sweep|Evacuat|RememberedSet|heap::base|Heap::|BodyDescriptor|RecordMigrated|Minor|GCTracer|MemoryAllocator|PagedSpace|Pretenuring|WriteBarrier|RecordWrite|cppgc/;
const COMPILE = /compiler::|[Mm]aglev|Bytecode|Parser|Scanner|Compiler::|CompileLazy|Turboshaft|turboshaft|Deoptimizer/;
type Split = { gc: number; compile: number; rest: number };

function instructions(task: string, n: number): Split {
  const out = join(dir, `cg.${task}.${n}`);
  execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, node, '--single-threaded', bundle, engine, task, String(WARMUP), String(n)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const annotated = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', out], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const split: Split = { gc: 0, compile: 0, rest: 0 };
  for (const line of annotated.split('\n')) {
    const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (!m || line.includes('PROGRAM TOTALS')) continue;
    const count = Number(m[1]!.replaceAll(',', ''));
    const name = m[2]!;
    if (GC.test(name)) split.gc += count;
    else if (COMPILE.test(name)) split.compile += count;
    else split.rest += count;
  }
  return split;
}

const perCall: Record<string, Split> = {};
const total = (s: Split) => s.gc + s.compile + s.rest;
for (const task of tasks) {
  const a = instructions(task, N1);
  const b = instructions(task, N2);
  const per = (k: keyof Split) => (b[k] - a[k]) / (N2 - N1);
  const split = (perCall[task] = { gc: per('gc'), compile: per('compile'), rest: per('rest') });
  console.log(`${engine} ${task}: ${Math.round(total(split))} instructions per call (rest ${Math.round(split.rest)}, gc ${Math.round(split.gc)}, compile ${Math.round(split.compile)})`);
}
const base = perCall.bareasync ?? perCall.bare;
if (base && perCall.full) {
  console.log(
    `${engine} full - ${perCall.bareasync ? 'bareasync' : 'bare'}: rest +${Math.round(perCall.full.rest - base.rest)} (ratio ${(perCall.full.rest / base.rest).toFixed(3)}), total +${Math.round(total(perCall.full) - total(base))} (ratio ${(total(perCall.full) / total(base)).toFixed(3)})`,
  );
}
rmSync(dir, { recursive: true, force: true });
