// The consumer matrix: installs the packed ctp-client into throwaway projects outside the repository,
// one per supported host (inversify major x module format x TypeScript module setting x SDK line and
// engine), type-checks each with its own tsc, compiles it, and runs the seed's two datasources
// (test/consumer/app) on every Node binary given that its SDK line supports. Exits 1 when any
// consumer fails.
//
// usage: node .ci/consumers.mjs <ctp-client.tgz> <node binary>...
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
//
// The SDK lines apps run, each with the engine it selects (CTP_API_ENGINE): platform-sdk 8 (Node 20
// and later; its ts-client 4.10, sdk-client-v2 3.4 where selected) and platform-sdk 9 (Node 22 and
// later; its ts-client 5, sdk-client-v2 4 where selected). Each consumer runs on the given Node
// binaries its SDK line supports. The app lists platform-sdk only (and sdk-client-v2 when it selects
// it): ts-client, our peer, must then be the one copy platform-sdk brings.
const SDK8 = { '@commercetools/platform-sdk': '8.27.0' };
const SDK8_V2 = { ...SDK8, '@commercetools/sdk-client-v2': '3.4.0' };
const SDK9 = { '@commercetools/platform-sdk': '9.5.0' };
const SDK9_V2 = { ...SDK9, '@commercetools/sdk-client-v2': '4.0.1' };
const CONSUMERS = [
  {
    name: 'inversify6.0-cjs-node16-sdk8',
    inversify: '6.0.1',
    type: 'commonjs',
    module: 'node16',
    reflect: true,
    skipLibCheck: false,
    sdk: SDK8,
    minNode: 20,
  },
  // moduleResolution node10 (TypeScript's `node`), as older CommonJS apps still have it: exports
  // maps are not read there, so ctp-client/testing is typed through typesVersions.
  {
    name: 'inversify6.2-cjs-node10-sdk8',
    inversify: '6.2.2',
    type: 'commonjs',
    module: 'commonjs',
    moduleResolution: 'node10',
    reflect: true,
    sdk: SDK8,
    minNode: 20,
  },
  {
    name: 'inversify6.2-esm-nodenext-sdk8-v2',
    inversify: '6.2.2',
    type: 'module',
    module: 'nodenext',
    reflect: true,
    sdk: SDK8_V2,
    engine: 'sdk-client-v2',
    minNode: 20,
  },
  {
    name: 'inversify7.0-esm-nodenext-sdk9',
    inversify: '7.0.0',
    type: 'module',
    module: 'nodenext',
    sdk: SDK9,
    minNode: 22,
  },
  {
    name: 'inversify7.11-cjs-node16-sdk9-v2',
    inversify: '7.11.0',
    type: 'commonjs',
    module: 'node16',
    skipLibCheck: false,
    sdk: SDK9_V2,
    engine: 'sdk-client-v2',
    minNode: 22,
  },
  {
    name: 'inversify8.0-esm-nodenext-sdk9-v2',
    inversify: '8.0.0',
    type: 'module',
    module: 'nodenext',
    sdk: SDK9_V2,
    engine: 'sdk-client-v2',
    minNode: 22,
  },
  {
    name: 'inversify8.2-cjs-nodenext-sdk8',
    inversify: '8.2.3',
    type: 'commonjs',
    module: 'nodenext',
    sdk: SDK8,
    engine: 'ts-client',
    minNode: 20,
  },
  {
    name: 'inversify8.2-esm-nodenext-sdk9',
    inversify: '8.2.3',
    type: 'module',
    module: 'nodenext',
    sdk: SDK9,
    engine: 'ts-client',
    minNode: 22,
  },
  // The lowest @commercetools/platform-sdk of the peer range; without the optional mock package
  // (whose own peer range starts at 8.25), so it runs against the mocked fetch only. Its own
  // dependency is ts-client 3 (platform-sdk 8.12 and later depend on ts-client 4), so it has two copies.
  {
    name: 'platform-sdk8.0-esm-mocked',
    inversify: '8.2.3',
    type: 'module',
    module: 'nodenext',
    sdk: { '@commercetools/platform-sdk': '8.0.0' },
    embedded: false,
    skipLibCheck: false,
    minNode: 20,
    tsClientCopies: 2,
  },
];

const root = mkdtempSync(join(tmpdir(), 'ctp-client-consumers-'));
// Each binary's major version, to run a consumer only where its SDK line runs.
const majors = new Map(
  nodes.map((n) => [
    n,
    Number(execFileSync(n, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '').split('.')[0]),
  ]),
);

/** The installed copies of ts-client under `modules` (their versions), wherever npm put them. */
function tsClientCopies(modules) {
  const found = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) visit(path);
      else {
        if (path.endsWith(join('@commercetools', 'ts-client')))
          found.push(JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')).version);
        if (existsSync(join(path, 'node_modules'))) visit(join(path, 'node_modules'));
      }
    }
  };
  visit(modules);
  return found;
}
const tgz = resolve(tarball);
const results = [];

function step(cwd, command, args, env = {}) {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false', ...env } });
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
    JSON.stringify(
      {
        name: `consumer-${c.name}`,
        private: true,
        type: c.type,
        dependencies: {
          'ctp-client': `file:${tgz}`,
          inversify: c.inversify,
          ...(c.reflect ? { 'reflect-metadata': '0.2.2' } : {}),
          ...c.sdk,
        },
        devDependencies: {
          typescript: '5.9.3',
          '@types/node': '20.19.43',
          ...(embedded ? { '@labdigital/commercetools-mock': '4.4.0' } : {}),
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: c.module,
          moduleResolution: c.moduleResolution ?? c.module,
          strict: true,
          experimentalDecorators: true,
          types: ['node'],
          rootDir: 'src',
          outDir: 'out',
          skipLibCheck: c.skipLibCheck !== false,
        },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  copyFileSync(join(app, 'datasources.ts'), join(dir, 'src', 'datasources.ts'));
  copyFileSync(join(app, 'main.ts'), join(dir, 'src', 'main.ts'));
  // inversify 6 reads decorator metadata through reflect-metadata, imported once before anything else.
  writeFileSync(
    join(dir, 'src', 'entry.ts'),
    `${c.reflect ? "import 'reflect-metadata';\n" : ''}import './main.js';\n`,
  );

  const failures = [];
  // Plain npm install: no --force, no --legacy-peer-deps.
  const install = await step(dir, 'npm', [
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
  ]);
  if (!install.ok) failures.push(`npm install failed:\n${install.output}`);
  const copies = install.ok ? tsClientCopies(join(dir, 'node_modules')) : [];
  if (install.ok && copies.length !== (c.tsClientCopies ?? 1))
    failures.push(`expected ${c.tsClientCopies ?? 1} copy of @commercetools/ts-client, found ${copies.join(', ')}`);
  // The command, as npm linked it (through its shebang).
  const bin = install.ok ? await step(dir, join(dir, 'node_modules', '.bin', 'ctp-client'), ['--version']) : undefined;
  if (bin && !(bin.ok && /^\d+\.\d+\.\d+/.test(bin.stdout)))
    failures.push(`ctp-client --version failed:\n${bin.output}`);
  // One tsc run type-checks and emits; it exits non-zero on any type error, as tsc --noEmit would.
  const compile = install.ok
    ? await step(dir, process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'])
    : undefined;
  if (compile && !compile.ok) failures.push(`tsc failed:\n${compile.output}`);
  const runs = [];
  if (compile?.ok) {
    for (const node of nodes.filter((n) => majors.get(n) >= c.minNode)) {
      // Where npm installed no sdk-client-v2 (platform-sdk before 8.12 brings one), selecting it must be a CtpConfigError.
      const noV2 = !existsSync(join(dir, 'node_modules', '@commercetools', 'sdk-client-v2'));
      const modes = [...(embedded ? ['embedded'] : []), 'mocked', ...(noV2 ? ['no-sdk-client-v2'] : [])];
      const run = await step(dir, node, ['out/entry.js', ...modes], c.engine ? { CTP_API_ENGINE: c.engine } : {});
      let verdict = run.ok;
      let parsed;
      try {
        parsed = JSON.parse(run.stdout.trim().split('\n').at(-1));
        const checks = [
          ...Object.values(parsed.embedded ?? {}),
          ...Object.values(parsed.mocked ?? {}),
          ...Object.values(parsed.noSdkClientV2 ?? {}),
        ];
        verdict =
          verdict &&
          checks.length > 0 &&
          checks.every((v) => v === true) &&
          parsed.format === (c.type === 'module' ? 'esm' : 'cjs') &&
          (!embedded || parsed.embedded !== undefined);
      } catch {
        verdict = false;
      }
      runs.push({ node: parsed?.node ?? node, ok: verdict, ms: run.ms });
      if (!verdict) failures.push(`run on ${node} failed:\n${run.output}`);
    }
  }
  if (compile?.ok && runs.length === 0)
    failures.push(`no Node binary given runs its SDK line (Node ${c.minNode} or later)`);
  const line = `${failures.length === 0 ? 'ok  ' : 'FAIL'} ${c.name.padEnd(36)} ${c.engine ?? 'default'} engine, ts-client ${copies.join('+') || '-'}, install ${(install.ms / 1000).toFixed(1)} s, tsc ${((compile?.ms ?? 0) / 1000).toFixed(1)} s, runs ${runs.map((r) => `${r.node} ${r.ok ? 'ok' : 'FAIL'}`).join(', ') || 'none'}`;
  console.log([line, ...failures.map((f) => f.replace(/^/gm, '    '))].join('\n'));
  results.push(failures.length === 0);
}

// Two at a time: installs wait on the network and the cache, tsc on a core.
// CONSUMERS=name,name runs only those (a quick check of one host).
const only = process.env['CONSUMERS']?.split(',');
const queue = CONSUMERS.filter((c) => !only || only.includes(c.name));
const jobs = Number(process.env['CONSUMER_JOBS'] ?? 2);
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let c = queue.shift(); c; c = queue.shift()) await runConsumer(c);
  }),
);

rmSync(root, { recursive: true, force: true });
const failed = results.filter((ok) => !ok).length;
console.log(
  `consumer matrix: ${results.length - failed} passed, ${failed} failed (${nodes.length} Node runtime(s) each)`,
);
process.exitCode = failed === 0 ? 0 : 1;
