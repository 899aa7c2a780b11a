import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../../src/cli/runCli';
import type { DoctorReport } from '../../../src/doctor/DoctorReport';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';

const CUSTOMER = { email: 'dora@example.com', password: 'Dora-Secret-Pw-9' };
let server: StrictCommercetools;

afterEach(async () => {
  await server?.stop();
});

async function start(scopes: string[]) {
  server = await new StrictCommercetools().start();
  server.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, scopes);
  server.addCustomer(CUSTOMER.email, CUSTOMER.password);
  return {
    CTP_PROJECT_KEY: server.projectKey,
    CTP_CLIENT_ID: STRICT_CLIENT.id,
    CTP_CLIENT_SECRET: STRICT_CLIENT.secret,
    CTP_AUTH_URL: server.url,
    CTP_API_URL: server.url,
  };
}

async function doctor(argv: string[], env: Record<string, string | undefined>, extra: Partial<CliIo> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(['doctor', ...argv], {
    env,
    stdout: (t) => (out += `${t}\n`),
    stderr: (t) => (err += `${t}\n`),
    colour: false,
    ...extra,
  });
  return { code, out, err };
}

function expectNoSecret(text: string) {
  for (const secret of [STRICT_CLIENT.secret, CUSTOMER.password, ...server.issuedSecrets])
    expect(text).not.toContain(secret);
}

describe('ctp-client doctor', () => {
  it('should exit 0 with an aligned table, lifetimes from introspection, every token revoked', async () => {
    const env = await start(ALL_DEFAULT_SCOPES);
    const { code, out, err } = await doctor(['--customer-email', CUSTOMER.email], {
      ...env,
      CTP_DOCTOR_CUSTOMER_PASSWORD: CUSTOMER.password,
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('integration (client credentials): ok, token lifetime 1.0 h (introspection)');
    expect(out).toMatch(/ {2}scope {2,}requested {2}granted\n {2}view_project_settings:strict-project {2,}yes {8}yes/);
    expect(out).toContain('customer (password): ok');
    expect(out).toContain('no problems found');
    expect(server.grants.revoke).toBe(server.issuedSecrets.length);
    expect(server.accessTokens.size + server.refreshTokens.size).toBe(0);
    expectNoSecret(out);
  });

  it.each<['plain' | 'asked' | 'both', string]>([
    [
      'plain',
      'the API client gets the plain forms (name:projectKey): its tokens work on the in-store /me endpoints of every Store',
    ],
    [
      'asked',
      "the API client gets the Store forms (name:projectKey:eu): its tokens work on this Store's in-store /me endpoints only",
    ],
    ['both', 'the API client gets both forms'],
  ])(
    'should report which form of the Store scopes an in-store grant gets (%s), checked per capability',
    async (form, said) => {
      const env = await start(ALL_DEFAULT_SCOPES);
      server.storeScopeAnswer = form;
      server.addCustomer('erin@example.com', 'Erin-Pa55word!', 'eu');
      const { code, out } = await doctor(['--customer-email', 'erin@example.com', '--store-key', 'eu'], {
        ...env,
        CTP_DOCTOR_CUSTOMER_PASSWORD: 'Erin-Pa55word!',
      });
      expect(out).toContain('customer (password): ok');
      expect(out).toContain(`in-store grant for Store eu: ${said}`);
      expect(out).toMatch(/manage_my_orders:strict-project:eu +yes +yes/);
      expect(code).toBe(0);
    },
  );

  it('should say the customer row was skipped without test credentials', async () => {
    const env = await start(ALL_DEFAULT_SCOPES);
    const { code, out } = await doctor([], env);
    expect(code).toBe(0);
    expect(out).toContain('customer (password): skipped');
    expect(out).toContain('CTP_DOCTOR_CUSTOMER_PASSWORD');
  });

  it('should exit 1 and name the scopes an API client lacks', async () => {
    const env = await start(ALL_DEFAULT_SCOPES.filter((s) => s !== 'manage_orders' && s !== 'view_standalone_prices'));
    const { code, out } = await doctor(['--json'], env);
    expect(code).toBe(1);
    const report = JSON.parse(out) as DoctorReport;
    const bySet = Object.fromEntries(report.sets.map((s) => [s.set, s]));
    expect(bySet['integration']?.outcome).toBe('refused');
    expect(bySet['integration']?.lacking).toEqual(['manage_orders:strict-project']);
    expect(bySet['anonymous']?.lacking).toEqual(['view_standalone_prices:strict-project']);
    expect(bySet['customerService']?.lacking).toEqual(['manage_orders:strict-project']);
    expect(bySet['guest']?.outcome).toBe('ok');
    expect(report.problems).toBe(3);
    expect(server.accessTokens.size + server.refreshTokens.size).toBe(0);
    expectNoSecret(out);
  });

  it('should warn about an API client with manage_project', async () => {
    const env = await start(['manage_project']);
    const { code, out } = await doctor([], env);
    expect(code).toBe(1);
    expect(out).toContain('integration (client credentials): MISMATCH');
    expect(out).toMatch(/manage_project:strict-project +no +yes/);
    expect(out).toContain('warning: the API client holds manage_project');
  });

  it("should lint shopper sets with shared write scopes and reads of other shoppers' data", async () => {
    const env = await start(ALL_DEFAULT_SCOPES);
    const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
    writeFileSync(
      join(dir, 'sets.json'),
      JSON.stringify({
        guest: ['view_categories', 'manage_orders'],
        anonymous: ['view_categories', 'view_customers', 'manage_my_orders'],
      }),
    );
    const { code, out } = await doctor(['--scope-sets', join(dir, 'sets.json')], env);
    expect(code).toBe(1);
    expect(out).toContain('scope set "guest" holds scopes on other shoppers\' or shared data (manage_orders)');
    expect(out).toContain('scope set "anonymous" holds scopes on other shoppers\' or shared data (view_customers)');
  });

  it('should exit 2 with every configuration problem at once, and read --env-file', async () => {
    const { code, err } = await doctor([], { CTP_CLIENT_SECRET: 'x' });
    expect(code).toBe(2);
    expect(err).toContain('CTP_PROJECT_KEY is missing');
    expect(err).toContain('CTP_AUTH_URL is missing');
    const env = await start(ALL_DEFAULT_SCOPES);
    const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
    writeFileSync(
      join(dir, '.env'),
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    expect((await doctor(['--env-file', join(dir, '.env')], {})).code).toBe(0);
  });

  it('should exit 2 on usage errors and refuse a password flag', async () => {
    expect((await doctor(['--bogus'], {})).code).toBe(2);
    const refused = await doctor(['--customer-password', 'x'], {});
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('CTP_DOCTOR_CUSTOMER_PASSWORD');
    const env = await start(ALL_DEFAULT_SCOPES);
    expect((await doctor(['--customer-email', CUSTOMER.email], env)).code).toBe(2);
    const prompted = await doctor(['--customer-email', CUSTOMER.email], env, {
      askPassword: async () => CUSTOMER.password,
    });
    expect(prompted.code).toBe(0);
  });

  it('should exit 1 for a wrong client secret without printing it', async () => {
    const env = await start(ALL_DEFAULT_SCOPES);
    const { code, out } = await doctor([], { ...env, CTP_CLIENT_SECRET: 'wrong-secret-value-77' });
    expect(code).toBe(1);
    expect(out).toContain('CTP_INVALID_CLIENT');
    expect(out).not.toContain('wrong-secret-value-77');
  });

  it('should run as the built command with real exit codes', async () => {
    const env = await start(['manage_project']);
    const cli = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
    const run = promisify(execFile);
    const failed = await run(process.execPath, [cli, 'doctor', '--json'], { env: { ...process.env, ...env } }).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect((failed as { code: number }).code).toBe(1);
    expect(JSON.parse((failed as { stdout: string }).stdout).warnings[0]).toContain('manage_project');
    const usage = await run(process.execPath, [cli, 'nope']).catch((e: { code: number }) => e);
    expect((usage as { code: number }).code).toBe(2);
  });

  it('should check the embedded commercetools with --embedded, loading the mock only then', async () => {
    const cli = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
    // A static import would make the command fail to start wherever the dev-only mock is absent.
    expect(readFileSync(cli, 'utf8')).not.toMatch(/from ["']@labdigital\/commercetools-mock["']/);
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'doctor', '--embedded']);
    expect(stdout).toContain('(embedded commercetools)');
    expect(stdout).toContain('customer (password): ok');
    expect(stdout).toContain('no problems found');
  });
});
