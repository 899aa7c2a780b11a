import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { CtpConfig } from '../config/CtpConfig';
import { createCtpConfig } from '../config/createCtpConfig';
import { loadCtpConfig } from '../config/loadCtpConfig';
import { CtpConfigError } from '../errors/CtpConfigError';
import { formatDoctorReport } from '../doctor/formatDoctorReport';
import { runDoctor } from '../doctor/runDoctor';
import { startEmbeddedCommercetools as startEmbedded } from '../testing/embedded/startEmbeddedCommercetools';
import { SCOPE_SET_NAMES, type ScopeSetName, type ScopeSpec } from '../scopes/ScopeSetName';
import { DOCTOR_USAGE, parseDoctorArgs } from './parseDoctorArgs';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  colour: boolean;
  /** Asks for the customer password when no variable holds it; undefined when there is no TTY. */
  askPassword?: () => Promise<string>;
}

const USAGE_ERROR = 2;

function readScopeSets(path: string): Partial<Record<ScopeSetName, ScopeSpec[]>> {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${path} must hold a JSON object of scope sets`);
  for (const key of Object.keys(parsed)) {
    if (!(SCOPE_SET_NAMES as readonly string[]).includes(key)) throw new Error(`${path}: unknown scope set "${key}"`);
  }
  return parsed as Partial<Record<ScopeSetName, ScopeSpec[]>>;
}

/** `ctp-client <command> ...`; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'doctor') {
    io.stderr(`${command === undefined ? 'no command' : `unknown command "${command}"`}\n\n${DOCTOR_USAGE}`);
    return USAGE_ERROR;
  }
  const args = parseDoctorArgs(rest);
  if (typeof args === 'string') {
    io.stderr(`${args}\n\n${DOCTOR_USAGE}`);
    return USAGE_ERROR;
  }
  if (args.help) {
    io.stdout(DOCTOR_USAGE);
    return 0;
  }

  let config: CtpConfig;
  let customer: { email: string; password: string; storeKey?: string } | undefined;
  let scopeSets: Partial<Record<ScopeSetName, ScopeSpec[]>> | undefined;
  let stop: (() => Promise<void>) | undefined;
  try {
    if (args.scopeSetsFile) scopeSets = readScopeSets(args.scopeSetsFile);
    if (args.embedded) {
      const embedded = await startEmbedded();
      stop = embedded.stop;
      config = createCtpConfig({ projectKey: embedded.projectKey, clientId: embedded.clientId, clientSecret: embedded.clientSecret, authUrl: embedded.authUrl, apiUrl: embedded.apiUrl });
      customer = { email: embedded.seeded.customer.email, password: embedded.seeded.customer.password };
    } else {
      const env = args.envFile ? { ...io.env, ...parseEnv(readFileSync(args.envFile, 'utf8')) } : io.env;
      config = loadCtpConfig(env);
      if (args.customerEmail) {
        const password = env['CTP_DOCTOR_CUSTOMER_PASSWORD'] ?? (io.askPassword ? await io.askPassword() : undefined);
        if (!password) {
          io.stderr('--customer-email needs the password in CTP_DOCTOR_CUSTOMER_PASSWORD (no terminal to ask on)');
          return USAGE_ERROR;
        }
        customer = { email: args.customerEmail, password, ...(args.storeKey ? { storeKey: args.storeKey } : {}) };
      }
    }
  } catch (error) {
    io.stderr(error instanceof CtpConfigError ? error.message : `configuration error: ${(error as Error).message}`);
    await stop?.();
    return USAGE_ERROR;
  }

  try {
    const report = await runDoctor({ config, customer, ...(scopeSets ? { scopeSets } : {}), embedded: args.embedded });
    io.stdout(args.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report, io.colour));
    return report.problems === 0 ? 0 : 1;
  } catch (error) {
    io.stderr(error instanceof CtpConfigError ? error.message : `doctor failed: ${(error as Error).message}`);
    return error instanceof CtpConfigError ? USAGE_ERROR : 1;
  } finally {
    await stop?.();
  }
}
