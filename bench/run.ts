// npm run bench: every row against local servers on 127.0.0.1 or an in-process fetch stub; prints
// the results and writes them to bench/results.md, its charts to bench/charts/.
// `npm run bench -- --only=scaling` (or BENCH_ONLY=scaling) runs one part and writes
// bench/results-scaling.md instead, leaving the full run's results.md as it was; `--only=` a step's
// name with dashes for spaces (`--only=per-call-guard`) runs that step alone, the same way.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { coldCallers } from './coldCallers';
import { fleetGrants } from './fleetGrants';
import { fleetScaling } from './fleetScaling';
import { guestTraffic } from './guestTraffic';
import { journeyGrants } from './journeyGrants';
import { renderSection, type Section } from './markdown';
import { memory } from './memory';
import { perCallGuard } from './perCallGuard';
import { redisCommandsSection } from './redisCommands';
import { shopperLatency } from './shopperLatency';
import { signInRoundTrips } from './signInRoundTrips';

const root = fileURLToPath(new URL('..', import.meta.url));
const version = (name: string) =>
  (JSON.parse(readFileSync(`${root}/node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
const own = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string };

/** The parts: "scaling" is how each cost grows with its load (issue 14), each with a chart. */
const PARTS = ['core', 'scaling'] as const;
type Part = (typeof PARTS)[number];
const steps: [string, Part, () => Promise<Section | Section[]>][] = [
  ['grants for cold callers', 'scaling', coldCallers],
  ['per-call guard', 'core', perCallGuard],
  ['memory', 'scaling', memory],
  ['guest traffic', 'core', guestTraffic],
  ['fleet grants', 'core', fleetGrants],
  ['fleet scaling', 'scaling', fleetScaling],
  ['redis commands', 'scaling', redisCommandsSection],
  ['shopper latency', 'scaling', shopperLatency],
  ['journey grants', 'core', journeyGrants],
  ['sign-in and sign-out round trips', 'core', signInRoundTrips],
];
const slug = (name: string) => name.replaceAll(' ', '-');
const only =
  parseArgs({ options: { only: { type: 'string' } }, strict: true }).values.only ?? process.env['BENCH_ONLY'];
if (only !== undefined && !PARTS.includes(only as Part) && !steps.some(([name]) => slug(name) === only)) {
  process.stderr.write(
    `bench: --only=${only} is neither a part (${PARTS.join(', ')}) nor a step (${steps.map(([name]) => slug(name)).join(', ')})\n`,
  );
  process.exit(2);
}
const started = Date.now();
const loadStart = loadavg()[0]!;
const sections: Section[] = [];
for (const [name, part, step] of steps) {
  if (only !== undefined && part !== only && slug(name) !== only) continue;
  process.stderr.write(`bench: ${name}...\n`);
  const result = await step();
  sections.push(...(Array.isArray(result) ? result : [result]));
}

const header = [
  '# ctp-client benchmarks',
  '',
  `Run ${new Date().toISOString()} on ${type()} ${process.arch}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}.`,
  '',
  `Packages: ctp-client ${own.version}, @commercetools/sdk-client-v2 ${version('@commercetools/sdk-client-v2')}, @commercetools/ts-client ${version('@commercetools/ts-client')}, @commercetools/platform-sdk ${version('@commercetools/platform-sdk')}, tinybench ${version('tinybench')}, ioredis ${version('ioredis')}, vega ${version('vega')} (charts).`,
  '',
  `Load average (1 min, ${cpus().length} cores) ${loadStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end: other work on the machine shares its cores, and latency and timing figures move with it (counts of grants, commands and bytes do not).`,
  '',
  ...(only
    ? [
        `Only ${PARTS.includes(only as Part) ? `the ${only} part` : `the step ${only}`} (\`npm run bench -- --only=${only}\`); the full run writes results.md.`,
        '',
      ]
    : []),
  `Goals met: ${sections.filter((s) => s.met === true).length} of ${sections.filter((s) => s.met !== undefined).length}. The bench took ${Math.round((Date.now() - started) / 1000)} s.`,
];
const markdown = `${[...header, ...sections.map((s) => `\n${renderSection(s)}`)].join('\n')}\n`;
writeFileSync(`${root}/bench/${only ? `results-${only}.md` : 'results.md'}`, markdown);
process.stdout.write(markdown);
process.exit(0);
