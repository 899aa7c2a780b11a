import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../../src/cli/runCli';

// The command's flags: the built command where the process matters (exit codes, --version from the
// installed package.json), runCli in-process elsewhere.
const cli = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
// Run as npm's bin link runs it: the file itself, through its shebang, with this Node first on PATH.
const path = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
const run = (args: string[], env: Record<string, string> = {}) => exec(cli, args, { env: { PATH: path, ...env } });
const exec = (file: string, args: string[], options: { env: Record<string, string>; cwd?: string }) =>
  promisify(execFile)(file, args, options).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

async function doctor(argv: string[], env: Record<string, string | undefined>, extra: Partial<CliIo> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    env,
    stdout: (t) => (out += `${t}\n`),
    stderr: (t) => (err += `${t}\n`),
    colour: false,
    ...extra,
  });
  return { code, out, err };
}

let hanging: Server | undefined;
afterEach(async () => {
  hanging?.closeAllConnections();
  await new Promise((resolve) => (hanging ? hanging.close(resolve) : resolve(undefined)));
  hanging = undefined;
});

describe('ctp-client (the command)', () => {
  describe('when asked for --version or --help', () => {
    it('should print the installed version and the usage, exit 0', async () => {
      expect(await run(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
      expect(await run(['doctor', '--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
      const help = await run(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--timeout SECONDS');
    });
  });

  describe('when --env-file names a missing file', () => {
    it('should exit 2 with a message naming the file', async () => {
      const { code, stderr } = await run(['doctor', '--env-file', '/nonexistent/ctp.env']);
      expect(code).toBe(2);
      expect(stderr).toBe('configuration error: --env-file /nonexistent/ctp.env: no such file\n');
    });
  });

  describe('when --json is given and the doctor cannot run', () => {
    it('should print the configuration problems as JSON on stdout, nothing on stderr', async () => {
      const { code, stdout, stderr } = await run(['doctor', '--json'], { CTP_CLIENT_SECRET: 'x' });
      expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
      const answer = JSON.parse(stdout) as {
        ok: boolean;
        exitCode: number;
        error: { kind: string; code: string; problems: string[] };
      };
      expect(answer).toMatchObject({
        ok: false,
        exitCode: 2,
        error: { kind: 'configuration', code: 'CTP_CONFIG_INVALID' },
      });
      expect(answer.error.problems).toEqual(expect.arrayContaining([expect.stringContaining('CTP_PROJECT_KEY')]));
    });

    it('should print usage errors as JSON too', async () => {
      const { code, out, err } = await doctor(['doctor', '--json', '--timeout', 'soon'], {});
      expect({ code, err }).toEqual({ code: 2, err: '' });
      expect(JSON.parse(out)).toMatchObject({
        ok: false,
        exitCode: 2,
        error: { kind: 'usage', message: '--timeout needs a number of seconds from 0 to 600' },
      });
    });
  });

  describe('when --scope-sets names a scope or a set commercetools does not have', () => {
    it('should exit 2 before any request, with the closest names, and refuse manage_project', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ctp-doctor-sets-'));
      const file = join(dir, 'sets.json');
      writeFileSync(
        file,
        JSON.stringify({ customer: ['manage_my_order'], integration: ['manage_project'], guests: ['view_categories'] }),
      );
      const env = {
        CTP_PROJECT_KEY: 'p1',
        CTP_CLIENT_ID: 'id',
        CTP_CLIENT_SECRET: 'secret',
        CTP_AUTH_URL: 'http://127.0.0.1:1',
        CTP_API_URL: 'http://127.0.0.1:1',
      };
      const { code, out } = await doctor(['doctor', '--json', '--scope-sets', file], env);
      rmSync(dir, { recursive: true, force: true });
      expect(code).toBe(2);
      const { error } = JSON.parse(out) as { error: { kind: string; problems: string[] } };
      expect(error.kind).toBe('configuration');
      expect(error.problems).toEqual([
        `${file}: customer: "manage_my_order" is not a commercetools scope: did you mean manage_my_orders?`,
        expect.stringMatching(
          new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: integration: manage_project is refused`),
        ),
        `${file}: unknown scope set "guests" (did you mean guest?)`,
      ]);
    });
  });

  describe('when the auth host accepts connections and never answers', () => {
    it('should give up after --timeout per request, report it, and show each check as it starts', async () => {
      hanging = createServer(() => undefined);
      await new Promise<void>((resolve) => hanging!.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
      const env = {
        CTP_PROJECT_KEY: 'p1',
        CTP_CLIENT_ID: 'id',
        CTP_CLIENT_SECRET: 'secret-of-the-client',
        CTP_AUTH_URL: url,
        CTP_API_URL: url,
      };
      const started = Date.now();
      const { code, out, err } = await doctor(['doctor', '--timeout', '0.2', '--json'], env, { progress: true });
      // Four sets x one 200 ms attempt each (no retries), not 4 x 3 x 10 s.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(code).toBe(1);
      expect(err).toBe(
        'checking integration (client credentials)...\nchecking guest (anonymous)...\nchecking anonymous (anonymous)...\n' +
          'checking customerService (client credentials)...\n',
      );
      const report = JSON.parse(out) as { sets: { set: string; outcome: string; note?: string }[] };
      expect(report.sets.filter((s) => s.outcome === 'error').map((s) => s.set)).toEqual([
        'integration',
        'guest',
        'anonymous',
        'customerService',
      ]);
      expect(report.sets[0]!.note).toContain('CTP_AUTH_TIMEOUT');
      expect(out).not.toContain('secret-of-the-client');
    });
  });
});

describe('ctp-client as installed in an app (the built package, no build)', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  let app: string;
  // npx, as an app runs it: the package's dist/ and package.json in node_modules, its bin linked.
  const npx = (args: string[]) =>
    exec('npx', ['--no-install', ...args], {
      cwd: app,
      env: { PATH: path, HOME: app, npm_config_cache: join(app, '.npm') },
    });

  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'ctp-client-app-'));
    const pkg = join(app, 'node_modules', 'ctp-client');
    mkdirSync(join(app, 'node_modules', '@commercetools'), { recursive: true });
    mkdirSync(join(app, 'node_modules', '.bin'));
    cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    // Its dependencies and the platform SDK peer; not the optional mock.
    for (const dep of ['platform-sdk', 'ts-client', 'sdk-client-v2'])
      symlinkSync(join(root, 'node_modules', '@commercetools', dep), join(app, 'node_modules', '@commercetools', dep));
    symlinkSync('../ctp-client/dist/cli.js', join(app, 'node_modules', '.bin', 'ctp-client'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-app', version: '1.0.0', private: true }));
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('should exit 2 with its own message for a missing --env-file (npx -- keeps Node off the flag)', async () => {
    const { code, stderr } = await npx(['--', 'ctp-client', 'doctor', '--env-file', '/nonexistent/ctp.env']);
    expect(code).toBe(2);
    expect(stderr).toContain('configuration error: --env-file /nonexistent/ctp.env: no such file\n');
  });

  it('should run --embedded where the mock is installed only, and say what to install where it is not', async () => {
    const help = await npx(['ctp-client', '--help']);
    expect(help.stdout).toMatch(
      /--embedded {13}check against an embedded commercetools started for the run, instead of\n {25}CTP_\* \(needs the optional peer dependency @labdigital\/commercetools-mock\)/,
    );
    const { code, stderr } = await npx(['ctp-client', 'doctor', '--embedded']);
    expect(code).toBe(2);
    expect(stderr).toContain('npm install --save-dev @labdigital/commercetools-mock');
  });
});

describe("the command's code", () => {
  const dist = fileURLToPath(new URL('../../../dist/', import.meta.url));
  /** The files an ESM file imports statically, transitively (dynamic import() is not followed). */
  const staticClosure = (entry: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(entry)) return seen;
    seen.add(entry);
    for (const [, spec] of readFileSync(join(dist, entry), 'utf8').matchAll(
      /^\s*(?:import|export)\s[^;]*?from\s+"\.\/([^"]+)"/gm,
    ))
      staticClosure(spec!, seen);
    return seen;
  };

  it('should load the testing kit only through a dynamic import, when --embedded asks for it', () => {
    const loaded = [...staticClosure('cli.js')];
    expect(loaded.length).toBeGreaterThan(1);
    for (const file of loaded)
      expect(readFileSync(join(dist, file), 'utf8')).not.toMatch(
        /function (startEmbeddedCommercetools|seedProject|loadMock)\b/,
      );
    expect(readFileSync(join(dist, 'cli.js'), 'utf8')).toMatch(
      /await import\("\.\/startEmbeddedCommercetools-[\w-]+\.js"\)/,
    );
  });
});

describe('npm run doctor (this repository)', () => {
  const scripts = (
    JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  let repo: string;
  // A copy of the scripts with a stand-in for tsup (it leaves a mark) and for the built command (it prints its arguments).
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'ctp-client-doctor-script-'));
    writeFileSync(
      join(repo, 'package.json'),
      JSON.stringify({
        name: 'doctor-script',
        version: '1.0.0',
        private: true,
        scripts: { predoctor: scripts['predoctor'], doctor: scripts['doctor'] },
      }),
    );
    mkdirSync(join(repo, 'src'));
    writeFileSync(join(repo, 'src', 'index.ts'), '');
    writeFileSync(join(repo, 'tsup.config.ts'), '');
    mkdirSync(join(repo, 'bin'));
    writeFileSync(
      join(repo, 'bin', 'tsup'),
      `#!/bin/sh\ntouch built\nmkdir -p dist\nprintf 'console.log("cli", JSON.stringify(process.argv.slice(2)))' > dist/cli.js\n`,
    );
    chmodSync(join(repo, 'bin', 'tsup'), 0o755);
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const npmRun = async () => {
    rmSync(join(repo, 'built'), { force: true });
    const result = await exec('npm', ['run', '--silent', 'doctor', '--', '--env-file', 'x.env'], {
      cwd: repo,
      env: { PATH: `${join(repo, 'bin')}:${path}`, HOME: repo },
    });
    return { ...result, built: existsSync(join(repo, 'built')) };
  };
  const age = (file: string, secondsAgo: number) => {
    const t = Date.now() / 1000 - secondsAgo;
    utimesSync(join(repo, file), t, t);
  };

  it('should build when dist/ is missing, then run the command with the arguments after --', async () => {
    const { stdout, built } = await npmRun();
    expect(built).toBe(true);
    expect(stdout).toBe('cli ["doctor","--env-file","x.env"]\n');
  });

  it('should not build when dist/cli.js is newer than the sources', async () => {
    for (const file of ['src/index.ts', 'src', 'tsup.config.ts', 'package.json']) age(file, 60);
    expect(statSync(join(repo, 'dist', 'cli.js')).mtimeMs).toBeGreaterThan(
      statSync(join(repo, 'src', 'index.ts')).mtimeMs,
    );
    expect(await npmRun()).toMatchObject({ built: false, stdout: 'cli ["doctor","--env-file","x.env"]\n' });
  });

  it('should build again when a source changed after the build', async () => {
    age('dist/cli.js', 30);
    writeFileSync(join(repo, 'src', 'index.ts'), 'export {};');
    expect((await npmRun()).built).toBe(true);
  });
});
