import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { CtpConfig } from '../config/CtpConfig';
import { createCtpConfig } from '../config/createCtpConfig';
import { loadCtpConfig } from '../config/loadCtpConfig';
import { CtpConfigError } from '../errors/CtpConfigError';
import { CtpError } from '../errors/CtpError';
import { formatDoctorReport } from '../doctor/formatDoctorReport';
import { runDoctor } from '../doctor/runDoctor';
import { scopeSetProblems } from '../scopes/knownScopes';
import { SCOPE_SET_NAMES, type ScopeSetName, type ScopeSpec } from '../scopes/ScopeSetName';
import { closestName } from '../util/closestName';
import { DOCTOR_USAGE, parseDoctorArgs } from './parseDoctorArgs';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  colour: boolean;
  /** Asks for the customer password when no variable holds it; undefined when there is no TTY. */
  askPassword?: () => Promise<string>;
  /** The installed package's version, for --version. */
  version?: string;
  /** True on a terminal: a line per check as it starts goes to stderr, so a slow host is visible. */
  progress?: boolean;
}

const USAGE_ERROR = 2;

/** What stopped the doctor before it could report: `usage` (exit 2), `configuration` (2) or `failure` (1). */
interface Stop {
  kind: 'usage' | 'configuration' | 'failure';
  message: string;
  problems?: readonly string[];
  code?: string;
}

function readScopeSets(path: string): Partial<Record<ScopeSetName, ScopeSpec[]>> {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${path} must hold a JSON object of scope sets`);
  // Checked as the module checks options.scopes: a typo is reported here, not as a refused grant.
  const problems = Object.entries(parsed).flatMap(([key, specs]) => {
    if ((SCOPE_SET_NAMES as readonly string[]).includes(key)) return scopeSetProblems(`${path}: ${key}`, specs);
    const closest = closestName(key, SCOPE_SET_NAMES);
    return [
      `${path}: unknown scope set "${key}" (${closest ? `did you mean ${closest}?` : `known: ${SCOPE_SET_NAMES.join(', ')}`})`,
    ];
  });
  if (problems.length > 0) throw new CtpConfigError(problems);
  return parsed;
}

/** Read here rather than through Node's --env-file, so a missing file is a usage error we word. */
function readEnvFile(path: string): Record<string, string | undefined> {
  if (!existsSync(path)) throw new Error(`--env-file ${path}: no such file`);
  return parseEnv(readFileSync(path, 'utf8'));
}

/** `ctp-client <command> ...`; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const stop = (s: Stop): number => {
    const exitCode = s.kind === 'failure' ? 1 : USAGE_ERROR;
    if (json) {
      // With --json, stdout is always one JSON document, whatever the exit code (undefined fields left out).
      const error = { kind: s.kind, message: s.message, code: s.code, problems: s.problems };
      io.stdout(JSON.stringify({ ok: false, exitCode, error }, null, 2));
    } else {
      io.stderr(s.kind === 'usage' ? `${s.message}\n\n${DOCTOR_USAGE}` : s.message);
    }
    return exitCode;
  };
  const print = (text: string) => {
    io.stdout(text);
    return 0;
  };
  const configurationStop = (error: CtpConfigError) =>
    stop({ kind: 'configuration', message: error.message, problems: error.problems, code: error.code });
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') return print(io.version ?? 'unknown');
  if (command === '--help' || command === '-h' || command === 'help') return print(DOCTOR_USAGE);
  if (command !== 'doctor') {
    return stop({ kind: 'usage', message: command === undefined ? 'no command' : `unknown command "${command}"` });
  }
  const args = parseDoctorArgs(rest);
  if (typeof args === 'string') return stop({ kind: 'usage', message: args });
  if (args.help) return print(DOCTOR_USAGE);
  if (args.version) return print(io.version ?? 'unknown');

  let config: CtpConfig;
  let customer: { email: string; password: string; storeKey?: string } | undefined;
  let scopeSets: Partial<Record<ScopeSetName, ScopeSpec[]>> | undefined;
  let stopEmbedded: (() => Promise<void>) | undefined;
  try {
    if (args.scopeSetsFile) scopeSets = readScopeSets(args.scopeSetsFile);
    if (args.embedded) {
      // Loaded only when asked: it is ctp-client/testing's, and needs the optional peer @labdigital/commercetools-mock.
      const { startEmbeddedCommercetools } = await import('../testing/embedded/startEmbeddedCommercetools');
      const embedded = await startEmbeddedCommercetools();
      stopEmbedded = () => embedded.stop();
      const { projectKey, clientId, clientSecret, authUrl, apiUrl } = embedded;
      config = createCtpConfig({ projectKey, clientId, clientSecret, authUrl, apiUrl });
      customer = { email: embedded.seeded.customer.email, password: embedded.seeded.customer.password };
    } else {
      const env = args.envFile ? { ...io.env, ...readEnvFile(args.envFile) } : io.env;
      config = loadCtpConfig(env);
      if (args.customerEmail) {
        const password =
          env['CTP_DOCTOR_CUSTOMER_PASSWORD'] ?? (io.askPassword && !json ? await io.askPassword() : undefined);
        if (!password) {
          return stop({
            kind: 'usage',
            message: '--customer-email needs the password in CTP_DOCTOR_CUSTOMER_PASSWORD (no terminal to ask on)',
          });
        }
        customer = { email: args.customerEmail, password, ...(args.storeKey ? { storeKey: args.storeKey } : {}) };
      }
    }
  } catch (error) {
    await stopEmbedded?.();
    if (error instanceof CtpConfigError) return configurationStop(error);
    return stop({ kind: 'configuration', message: `configuration error: ${(error as Error).message}` });
  }

  try {
    const report = await runDoctor({
      config,
      customer,
      ...(scopeSets ? { scopeSets } : {}),
      embedded: args.embedded,
      ...(args.timeoutMs === undefined ? {} : { timeoutMs: args.timeoutMs }),
      ...(io.progress ? { onCheck: (set, flow) => io.stderr(`checking ${set} (${flow.replace('_', ' ')})...`) } : {}),
    });
    const exitCode = report.problems === 0 ? 0 : 1;
    io.stdout(
      json
        ? JSON.stringify({ ok: exitCode === 0, exitCode, ...report }, null, 2)
        : formatDoctorReport(report, io.colour),
    );
    return exitCode;
  } catch (error) {
    if (error instanceof CtpConfigError) return configurationStop(error);
    if (!(error instanceof CtpError)) return stop({ kind: 'failure', message: 'doctor failed: unexpected error' });
    return stop({ kind: 'failure', message: `doctor failed: ${error.code}: ${error.message}`, code: error.code });
  } finally {
    await stopEmbedded?.();
  }
}
