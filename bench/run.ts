// npm run bench: every row against local servers on 127.0.0.1 or an in-process fetch stub; prints
// the results and writes them to bench/results.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { coldCallers } from './coldCallers';
import { fleetGrants } from './fleetGrants';
import { guestTraffic } from './guestTraffic';
import { journeyGrants } from './journeyGrants';
import { renderSection, type Section } from './markdown';
import { memory } from './memory';
import { perCallOverhead } from './perCallOverhead';
import { redisCommandsSection } from './redisCommands';

const root = fileURLToPath(new URL('..', import.meta.url));
const version = (name: string) => (JSON.parse(readFileSync(`${root}/node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
const own = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string };

const steps: [string, () => Promise<Section | Section[]>][] = [
  ['grants for cold callers', coldCallers],
  ['per-call overhead', perCallOverhead],
  ['memory', memory],
  ['guest traffic', guestTraffic],
  ['fleet grants', fleetGrants],
  ['redis commands', redisCommandsSection],
  ['journey grants', journeyGrants],
];
const sections: Section[] = [];
for (const [name, step] of steps) {
  process.stderr.write(`bench: ${name}...\n`);
  const result = await step();
  sections.push(...(Array.isArray(result) ? result : [result]));
}

const header = [
  '# ctp-client benchmarks',
  '',
  `Run ${new Date().toISOString()} on ${type()} ${process.arch}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}.`,
  '',
  `Packages: ctp-client ${own.version}, @commercetools/sdk-client-v2 ${version('@commercetools/sdk-client-v2')}, @commercetools/ts-client ${version('@commercetools/ts-client')}, @commercetools/platform-sdk ${version('@commercetools/platform-sdk')}, tinybench ${version('tinybench')}, ioredis ${version('ioredis')}.`,
  '',
  `Goals met: ${sections.filter((s) => s.met === true).length} of ${sections.filter((s) => s.met !== undefined).length}.`,
];
const markdown = `${[...header, ...sections.map((s) => `\n${renderSection(s)}`)].join('\n')}\n`;
writeFileSync(`${root}/bench/results.md`, markdown);
process.stdout.write(markdown);
process.exit(0);
