// The `ctp-client` command.
import { promptHidden } from './promptHidden';
import { runCli } from './runCli';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  colour: process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined,
  ...(process.stdin.isTTY ? { askPassword: () => promptHidden('customer password: ', process.stdin, process.stderr) } : {}),
});
process.exitCode = code;
