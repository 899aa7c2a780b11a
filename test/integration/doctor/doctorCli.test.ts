import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../../src/cli/runCli';

// The command's flags: the built command where the process matters (exit codes, --version from the
// installed package.json), runCli in-process elsewhere.
const cli = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
// Run as npm's bin link runs it: the file itself, through its shebang, with this Node first on PATH.
const path = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
const run = (args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)(cli, args, { env: { PATH: path, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

async function doctor(argv: string[], env: Record<string, string | undefined>, extra: Partial<CliIo> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { env, stdout: (t) => (out += `${t}\n`), stderr: (t) => (err += `${t}\n`), colour: false, ...extra });
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
      const answer = JSON.parse(stdout) as { ok: boolean; exitCode: number; error: { kind: string; code: string; problems: string[] } };
      expect(answer).toMatchObject({ ok: false, exitCode: 2, error: { kind: 'configuration', code: 'CTP_CONFIG_INVALID' } });
      expect(answer.error.problems).toEqual(expect.arrayContaining([expect.stringContaining('CTP_PROJECT_KEY')]));
    });

    it('should print usage errors as JSON too', async () => {
      const { code, out, err } = await doctor(['doctor', '--json', '--timeout', 'soon'], {});
      expect({ code, err }).toEqual({ code: 2, err: '' });
      expect(JSON.parse(out)).toMatchObject({ ok: false, exitCode: 2, error: { kind: 'usage', message: '--timeout needs a number of seconds from 0 to 600' } });
    });
  });

  describe('when the auth host accepts connections and never answers', () => {
    it('should give up after --timeout per request, report it, and show each check as it starts', async () => {
      hanging = createServer(() => undefined);
      await new Promise<void>((resolve) => hanging!.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
      const env = { CTP_PROJECT_KEY: 'p1', CTP_CLIENT_ID: 'id', CTP_CLIENT_SECRET: 'secret-of-the-client', CTP_AUTH_URL: url, CTP_API_URL: url };
      const started = Date.now();
      const { code, out, err } = await doctor(['doctor', '--timeout', '0.2', '--json'], env, { progress: true });
      // Three sets x one 200 ms attempt each (no retries), not 3 x 3 x 10 s.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(code).toBe(1);
      expect(err).toBe('checking integration (client credentials)...\nchecking guest (anonymous)...\nchecking anonymous (anonymous)...\n');
      const report = JSON.parse(out) as { sets: { outcome: string; note?: string }[] };
      expect(report.sets.slice(0, 3).map((s) => s.outcome)).toEqual(['error', 'error', 'error']);
      expect(report.sets[0]!.note).toContain('CTP_AUTH_TIMEOUT');
      expect(out).not.toContain('secret-of-the-client');
    });
  });
});
