export interface DoctorArgs {
  envFile?: string;
  json: boolean;
  embedded: boolean;
  customerEmail?: string;
  storeKey?: string;
  scopeSetsFile?: string;
  /** Per request to commercetools, in milliseconds (the flag takes seconds). */
  timeoutMs?: number;
  help: boolean;
  version: boolean;
}

export const DOCTOR_USAGE = `usage: ctp-client doctor [options]
       ctp-client --version | --help

Checks the API client's scopes and the app's configuration against commercetools.

  --env-file PATH        read CTP_* variables from a dotenv file (they win over the environment)
  --customer-email EMAIL check the customer scope set with this test customer; the password comes
                         from CTP_DOCTOR_CUSTOMER_PASSWORD or a prompt, never from a flag
  --store-key KEY        the test customer belongs to this Store
  --scope-sets PATH      JSON file replacing scope sets: {"customer": ["manage_my_orders", ...]}
  --embedded             check against the embedded commercetools of the example app (repository only)
  --timeout SECONDS      per request to commercetools (default 10); the doctor does not retry
  --json                 print the report, or the problem that stopped it, as JSON on stdout
  --version              the installed ctp-client version
  --help                 this text

exit codes: 0 no problems, 1 problems found, 2 usage or configuration error`;

/** Parses the words after `doctor`; returns an error message for anything it does not know. */
export function parseDoctorArgs(argv: readonly string[]): DoctorArgs | string {
  const args: DoctorArgs = { json: false, embedded: false, help: false, version: false };
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i]!;
    const [flag, inline] = word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      switch (flag) {
        case '--json': args.json = true; break;
        case '--embedded': args.embedded = true; break;
        case '--help': case '-h': args.help = true; break;
        case '--version': case '-v': args.version = true; break;
        case '--timeout': {
          const seconds = Number(value());
          if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= 600)) return '--timeout needs a number of seconds from 0 to 600';
          args.timeoutMs = Math.round(seconds * 1000);
          break;
        }
        case '--env-file': args.envFile = value(); break;
        case '--customer-email': args.customerEmail = value(); break;
        case '--store-key': args.storeKey = value(); break;
        case '--scope-sets': args.scopeSetsFile = value(); break;
        case '--customer-password': case '--password':
          return `${flag} is refused: a password on the command line ends up in shell history and process lists; set CTP_DOCTOR_CUSTOMER_PASSWORD or answer the prompt`;
        default:
          return `unknown option ${word}`;
      }
    } catch (error) {
      return (error as Error).message;
    }
  }
  return args;
}
