import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Packs the built tree (`npm test` builds first; prepare would build again, so scripts are skipped
// here; .ci/run packs with prepare from a fresh clone) and reads the tarball itself, not npm's listing.
const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let files: string[];
const read = (path: string) =>
  execFileSync('tar', ['-xzOf', join(dir, 'package.tgz'), `package/${path}`], { encoding: 'utf8' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctp-client-pack-'));
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
    }),
  ) as { filename: string }[];
  execFileSync('mv', [join(dir, packed!.filename), join(dir, 'package.tgz')]);
  files = execFileSync('tar', ['-tzf', join(dir, 'package.tgz')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((f) => f.replace(/^package\//, ''));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The relative files an ESM file imports, transitively. */
function esmClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of read(file).matchAll(/from\s+"(\.\/[^"]+)"/g)) visit(join('dist', spec!));
  };
  visit(entry);
  return seen;
}

describe('the npm tarball', () => {
  it('should hold the package metadata, a LICENSE, a CHANGELOG and the README', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'CHANGELOG.md', 'README.md']));
    expect(read('LICENSE')).toContain('MIT License');
    const pkg = JSON.parse(read('package.json')) as Record<string, unknown>;
    expect(pkg['private']).toBeUndefined();
    expect(pkg['peerDependencies']).toMatchObject({
      '@commercetools/platform-sdk': '^8.0.0 || ^9.0.0',
      '@commercetools/ts-client': '^4.10.0 || ^5.0.0',
      '@commercetools/sdk-client-v2': '^3.4.0 || ^4.0.0',
      inversify: '^6.0.1 || ^7.0.0 || ^8.0.0',
    });
    expect(pkg['peerDependenciesMeta']).toMatchObject({ '@commercetools/sdk-client-v2': { optional: true } });
    // The SDK and its engines are the app's: one copy each, never one of our own.
    for (const name of ['@commercetools/platform-sdk', '@commercetools/ts-client', '@commercetools/sdk-client-v2'])
      expect(pkg['dependencies'] ?? {}).not.toHaveProperty(name);
  });

  it('should hold code and declarations for both formats of both entries', () => {
    for (const file of [
      'index.js',
      'index.cjs',
      'index.d.ts',
      'index.d.cts',
      'testing.js',
      'testing.cjs',
      'testing.d.ts',
      'testing.d.cts',
      'cli.js',
    ]) {
      expect(files).toContain(`dist/${file}`);
    }
  });

  it('should hold no example, test, benchmark or source code', () => {
    expect(
      files.filter((f) => /^(examples|test|bench|src|\.ci)\//.test(f) || /embedded\.js$|\.test\./.test(f)),
    ).toEqual([]);
    // The guides the README links to ship beside it (docs/*.md); the generated API reference does not.
    expect(
      files.every(
        (f) =>
          f.startsWith('dist/') ||
          /^docs\/[^/]+\.md$/.test(f) ||
          ['package.json', 'LICENSE', 'CHANGELOG.md', 'README.md'].includes(f),
      ),
    ).toBe(true);
    expect(files).toEqual(expect.arrayContaining(['docs/sessions.md', 'docs/testing.md', 'docs/errors.md']));
  });

  it('should give the command the library code of dist/index.js, not a second copy', () => {
    const esm = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    const defining = esm.filter((f) => /CtpError = class|class CtpError\b/.test(read(f)));
    expect(defining).toHaveLength(1);
    expect(esmClosure('dist/cli.js')).toContain(defining[0]);
    expect(esmClosure('dist/index.js')).toContain(defining[0]);
    expect(read('dist/cli.js').startsWith('#!/usr/bin/env -S node --\n')).toBe(true);
  });

  it('should keep ctp-client/testing and the mock out of the main entry', () => {
    const mainFiles = [...esmClosure('dist/index.js'), 'dist/index.cjs'];
    for (const file of mainFiles)
      expect(read(file)).not.toMatch(/commercetools-mock|startEmbeddedCommercetools|createMockCommercetools/);
  });
});
