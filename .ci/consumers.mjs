// The consumer matrix: installs the packed ctp-client into throwaway projects outside the repository,
// one per supported host (inversify major x module format x TypeScript module setting), type-checks
// each with its own tsc, compiles it, and runs the seed's two datasources (test/consumer/app) on every
// Node binary given. Exits 1 when any consumer fails.
//
// usage: node .ci/consumers.mjs <ctp-client.tgz> <node binary>...
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [tarball, ...nodes] = process.argv.slice(2);
if (!tarball || nodes.length === 0) {
  console.error('usage: node .ci/consumers.mjs <ctp-client.tgz> <node binary>...');
  process.exit(2);
}
const app = fileURLToPath(new URL('../test/consumer/app/', import.meta.url));
// Versions the README names as tested: the lowest and the newest of each inversify major.
// skipLibCheck is off where errors in declaration files are the risk (CommonJS under node16, where
// an ESM-only import is TS1479; the oldest platform-sdk types); on elsewhere, as in most apps, because
// checking platform-sdk's declarations costs about a minute per consumer.
const CONSUMERS = [
  { name: 'inversify6.0-cjs-node16', inversify: '6.0.1', type: 'commonjs', module: 'node16', reflect: true, skipLibCheck: false },
  { name: 'inversify6.2-esm-nodenext', inversify: '6.2.2', type: 'module', module: 'nodenext', reflect: true },
  { name: 'inversify7.0-esm-nodenext', inversify: '7.0.0', type: 'module', module: 'nodenext' },
  { name: 'inversify7.11-cjs-node16', inversify: '7.11.0', type: 'commonjs', module: 'node16', skipLibCheck: false },
  { name: 'inversify8.0-esm-nodenext', inversify: '8.0.0', type: 'module', module: 'nodenext' },
  { name: 'inversify8.2-cjs-nodenext', inversify: '8.2.3', type: 'commonjs', module: 'nodenext' },
  // The lowest @commercetools/platform-sdk of the peer range; without the optional mock package
  // (whose own peer range starts at 8.25), so it runs against the mocked fetch only.
  { name: 'platform-sdk8.0-esm-mocked', inversify: '8.2.3', type: 'module', module: 'nodenext', platformSdk: '8.0.0', embedded: false, skipLibCheck: false },
];

const root = mkdtempSync(join(tmpdir(), 'ctp-client-consumers-'));
const tgz = resolve(tarball);
const results = [];

function step(cwd, command, args) {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false' } });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (error) => done({ ok: false, output: String(error), stdout, ms: Date.now() - started }));
    child.on('close', (code) => done({ ok: code === 0, output, stdout, ms: Date.now() - started }));
  });
}

async function runConsumer(c) {
  const dir = join(root, c.name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  const embedded = c.embedded !== false;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: `consumer-${c.name}`,
      private: true,
      type: c.type,
      dependencies: {
        'ctp-client': `file:${tgz}`,
        inversify: c.inversify,
        ...(c.reflect ? { 'reflect-metadata': '0.2.2' } : {}),
        ...(c.platformSdk ? { '@commercetools/platform-sdk': c.platformSdk } : {}),
      },
      devDependencies: { typescript: '5.9.3', '@types/node': '20.19.43', ...(embedded ? { '@labdigital/commercetools-mock': '4.4.0' } : {}) },
    }, null, 2),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: c.module, moduleResolution: c.module, strict: true, experimentalDecorators: true,
        types: ['node'], rootDir: 'src', outDir: 'out', skipLibCheck: c.skipLibCheck !== false,
      },
      include: ['src'],
    }, null, 2),
  );
  copyFileSync(join(app, 'datasources.ts'), join(dir, 'src', 'datasources.ts'));
  copyFileSync(join(app, 'main.ts'), join(dir, 'src', 'main.ts'));
  // inversify 6 reads decorator metadata through reflect-metadata, imported once before anything else.
  writeFileSync(join(dir, 'src', 'entry.ts'), `${c.reflect ? "import 'reflect-metadata';\n" : ''}import './main.js';\n`);

  const failures = [];
  const install = await step(dir, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
  if (!install.ok) failures.push(`npm install failed:\n${install.output}`);
  // The command, as npm linked it (through its shebang).
  const bin = install.ok ? await step(dir, join(dir, 'node_modules', '.bin', 'ctp-client'), ['--version']) : undefined;
  if (bin && !(bin.ok && /^\d+\.\d+\.\d+/.test(bin.stdout))) failures.push(`ctp-client --version failed:\n${bin.output}`);
  // One tsc run type-checks and emits; it exits non-zero on any type error, as tsc --noEmit would.
  const compile = install.ok ? await step(dir, process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']) : undefined;
  if (compile && !compile.ok) failures.push(`tsc failed:\n${compile.output}`);
  const runs = [];
  if (compile?.ok) {
    for (const node of nodes) {
      const run = await step(dir, node, ['out/entry.js', ...(embedded ? ['embedded'] : []), 'mocked']);
      let verdict = run.ok;
      let parsed;
      try {
        parsed = JSON.parse(run.stdout.trim().split('\n').at(-1));
        const checks = [...Object.values(parsed.embedded ?? {}), ...Object.values(parsed.mocked ?? {})];
        verdict = verdict && checks.length > 0 && checks.every((v) => v === true) && parsed.format === (c.type === 'module' ? 'esm' : 'cjs') && (!embedded || parsed.embedded !== undefined);
      } catch {
        verdict = false;
      }
      runs.push({ node: parsed?.node ?? node, ok: verdict, ms: run.ms });
      if (!verdict) failures.push(`run on ${node} failed:\n${run.output}`);
    }
  }
  const line = `${failures.length === 0 ? 'ok  ' : 'FAIL'} ${c.name.padEnd(28)} install ${(install.ms / 1000).toFixed(1)} s, tsc ${((compile?.ms ?? 0) / 1000).toFixed(1)} s, runs ${runs.map((r) => `${r.node} ${r.ok ? 'ok' : 'FAIL'}`).join(', ') || 'none'}`;
  console.log([line, ...failures.map((f) => f.replace(/^/gm, '    '))].join('\n'));
  results.push(failures.length === 0);
}

// Two at a time: installs wait on the network and the cache, tsc on a core.
const queue = [...CONSUMERS];
const jobs = Number(process.env['CONSUMER_JOBS'] ?? 2);
await Promise.all(Array.from({ length: jobs }, async () => {
  for (let c = queue.shift(); c; c = queue.shift()) await runConsumer(c);
}));

rmSync(root, { recursive: true, force: true });
const failed = results.filter((ok) => !ok).length;
console.log(`consumer matrix: ${results.length - failed} passed, ${failed} failed (${nodes.length} Node runtime(s) each)`);
process.exitCode = failed === 0 ? 0 : 1;
