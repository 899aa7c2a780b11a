import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs against dist/ (`npm test` builds first), in a child process that loads the package both ways,
// as an app does when one of its dependencies is CJS and another ESM.
const root = fileURLToPath(new URL('../..', import.meta.url));

function both(body: string): unknown {
  const script = `const cjs = require('ctp-client');
import('ctp-client').then(async (esm) => { ${body} }).catch((e) => { console.error(e); process.exit(1); });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
}

describe('ctp-client loaded through import and require in one process', () => {
  it('should load two module instances (the case the shared identity is for)', () => {
    expect(both(`console.log(JSON.stringify(esm.CtpError === cjs.CtpError))`)).toBe(false);
  });

  describe('when a session is set through one build', () => {
    it('should be the current session through the other', () => {
      // What the services of one build read is the storage the other build's runWithCtpSession set.
      const out = both(`
        const config = cjs.createCtpConfig({ projectKey: 'p1', clientId: 'i', clientSecret: 's', authUrl: 'http://127.0.0.1:1', apiUrl: 'http://127.0.0.1:1' });
        const seen = [];
        const storage = (name) => ({ get: async () => { seen.push(name); return undefined; }, compareAndSet: async () => false });
        const viaCjs = cjs.createCtpServices(config);
        const viaEsm = esm.createCtpServices(config);
        await esm.runWithCtpSession(storage('set through esm'), () => viaCjs.session.current());
        await cjs.runWithCtpSession(storage('set through cjs'), () => viaEsm.session.current());
        await Promise.all([viaCjs.close(), viaEsm.close()]);
        console.log(JSON.stringify(seen));`);
      expect(out).toEqual(['set through esm', 'set through cjs']);
    });
  });

  describe('when an error of one build reaches code written against the other', () => {
    it('should be instanceof the same classes, and no other', () => {
      const out = both(`
        const e = new cjs.CtpSessionExpiredError('refused');
        const f = new esm.CtpConfigError(['bad']);
        console.log(JSON.stringify([
          e instanceof esm.CtpError, e instanceof esm.CtpSessionExpiredError, e instanceof esm.CtpConfigError, e instanceof Error,
          f instanceof cjs.CtpError, f instanceof cjs.CtpConfigError, f instanceof cjs.CtpSessionExpiredError,
          new Error('plain') instanceof esm.CtpError, ({ code: 'CTP_NO_SESSION' }) instanceof cjs.CtpError,
        ]));`);
      expect(out).toEqual([true, true, false, true, true, true, false, false, false]);
    });

    it('should be recognised by CtpError.is, with and without a code', () => {
      const out = both(`
        const e = new cjs.CtpSessionExpiredError('refused');
        console.log(JSON.stringify([esm.CtpError.is(e), esm.CtpError.is(e, 'CTP_SESSION_EXPIRED'), esm.CtpError.is(e, 'CTP_NO_SESSION'), esm.CtpError.is(new Error('x')), esm.CtpError.is(undefined)]));`);
      expect(out).toEqual([true, true, false, false, false]);
    });
  });
});
