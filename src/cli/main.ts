// The `ctp-client` command.
import { readFileSync } from 'node:fs';
import { promptHidden } from './promptHidden';
import { runCli } from './runCli';

/** dist/cli.js: the package.json is one folder up. */
function packageVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string })
      .version;
  } catch {
    return undefined;
  }
}

const version = packageVersion();
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  colour: process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined,
  progress: process.stderr.isTTY === true,
  ...(version ? { version } : {}),
  ...(process.stdin.isTTY
    ? { askPassword: () => promptHidden('customer password: ', process.stdin, process.stderr) }
    : {}),
});
process.exitCode = code;
