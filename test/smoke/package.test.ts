import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs against dist/: `npm test` builds first. The package imports itself by name (exports map).
const root = fileURLToPath(new URL('../..', import.meta.url));
const expected = [
  'createCtpServices',
  'ctpSessionMiddleware',
  'ctpModule',
  'loadCtpConfig',
  'runWithCtpSession',
  'CtpErrorCode',
];

function run(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

describe('the built package', () => {
  it('should have been built', () => {
    expect(
      existsSync(`${root}/dist/index.js`) &&
        existsSync(`${root}/dist/index.cjs`) &&
        existsSync(`${root}/dist/index.d.cts`),
    ).toBe(true);
  });

  it('should load with import', () => {
    const out = run([
      '--input-type=module',
      '-e',
      `import * as m from 'ctp-client'; console.log(JSON.stringify(${JSON.stringify(expected)}.map((k) => typeof m[k])))`,
    ]);
    expect(JSON.parse(out)).toEqual(['function', 'function', 'function', 'function', 'function', 'object']);
  });

  it('should load with require and build a working module', () => {
    const out = run([
      '-e',
      `const m = require('ctp-client');
       const config = m.loadCtpConfig({ CTP_PROJECT_KEY: 'p1', CTP_CLIENT_ID: 'i', CTP_CLIENT_SECRET: 's', CTP_AUTH_URL: 'http://127.0.0.1:1', CTP_API_URL: 'http://127.0.0.1:1' });
       const mod = m.ctpModule(config);
       console.log(JSON.stringify([typeof mod.load, m.CtpErrorCode.SessionExpired]));`,
    ]);
    expect(JSON.parse(out)).toEqual(['function', 'CTP_SESSION_EXPIRED']);
  });
});
