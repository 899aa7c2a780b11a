import { parseArgs } from 'node:util';
import { closestName } from '../util/closestName';

export const DOCTOR_USAGE = `usage: ctp-client doctor [options]
       ctp-client --version | --help

Checks the API client's scopes and the app's configuration against commercetools.

  --env-file PATH        read CTP_* variables from a dotenv file (they win over the environment);
                         through npx write \`npx -- ctp-client doctor --env-file PATH\`: without
                         the --, Node reads --env-file in npx's own arguments and exits 9
  --customer-email EMAIL check the customer scope set with this test customer; the password comes
                         from CTP_DOCTOR_CUSTOMER_PASSWORD or a prompt, never from a flag
  --store-key KEY        the test customer belongs to this Store
  --scope-sets PATH      JSON file replacing scope sets: {"customer": ["manage_my_orders", ...]}
  --embedded             check against an embedded commercetools started for the run, instead of
                         CTP_* (needs the optional peer dependency @labdigital/commercetools-mock)
  --timeout SECONDS      per request to commercetools (default 10); the doctor does not retry
  --json                 print the report, or the problem that stopped it, as JSON on stdout
  --version              the installed ctp-client version
  --help                 this text

exit codes: 0 no problems, 1 problems found, 2 usage or configuration error`;

const OPTIONS = {
  'env-file': { type: 'string' },
  'customer-email': { type: 'string' },
  'store-key': { type: 'string' },
  'scope-sets': { type: 'string' },
  embedded: { type: 'boolean' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

const PASSWORD_FLAGS = ['--customer-password', '--password'];

/** Parses the words after `doctor` (util.parseArgs, strict); returns an error message for anything it does not know. */
export function parseDoctorArgs(argv: readonly string[]) {
  // Refused by name, with the reason, before parsing: parseArgs would only call them unknown.
  const password = argv.find((word) => PASSWORD_FLAGS.includes(word.split('=')[0]!));
  if (password !== undefined) {
    return `${password.split('=')[0]} is refused: a password on the command line ends up in shell history and process lists; set CTP_DOCTOR_CUSTOMER_PASSWORD or answer the prompt`;
  }
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    return usageMessage(error);
  }
  // Number('') is 0, refused like any other value out of range.
  const seconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0 && seconds <= 600))
    return '--timeout needs a number of seconds from 0 to 600';
  return {
    json: values.json === true,
    embedded: values.embedded === true,
    help: values.help === true,
    version: values.version === true,
    envFile: values['env-file'],
    customerEmail: values['customer-email'],
    storeKey: values['store-key'],
    scopeSetsFile: values['scope-sets'],
    /** Per request to commercetools, in milliseconds (the flag takes seconds). */
    timeoutMs: seconds === undefined ? undefined : Math.round(seconds * 1000),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
}

/** parseArgs's own message (it names the option), plus the option probably meant for an unknown one. */
function usageMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  const first = message.replace(/\n/g, ' ');
  if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return first;
  const word = (/'(-[^']*)'/.exec(first)?.[1] ?? '').replace(/^-+/, '');
  // A unique abbreviation (--env) or a typo (--jsno).
  const extending = Object.keys(OPTIONS).filter((name) => word.length > 1 && name.startsWith(word));
  const meant = extending.length === 1 ? extending[0] : closestName(word, Object.keys(OPTIONS));
  return meant === undefined ? first : `${first} (did you mean --${meant}?)`;
}
