import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The README's TypeScript blocks in "Quick start" and "Testing", each headed by its file path, written
// out as an app's files and type-checked by tsc against the built package (dist/, through the
// package's exports), with the tsconfig the README documents. `npm test` builds first.
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
// Inside node_modules, so the app's other imports (inversify, express, vitest) resolve from the repository's.
const app = join(root, 'node_modules', '.cache', 'ctp-client-readme');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
}

function blocks(text: string): { path: string; code: string }[] {
  return [...text.matchAll(/```ts\n(\/\/ (\S+)\n[\s\S]*?)```/g)].map((m) => ({ path: m[2]!, code: m[1]! }));
}

afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('the README', () => {
  const files = [...blocks(section('Quick start')), ...blocks(section('Testing'))];

  it('should head every TypeScript block of the quick start and the testing kit with its file path', () => {
    expect(files.map((f) => f.path)).toEqual([
      'src/datasources.ts',
      'src/app.ts',
      'test/ExampleCartDatasource.test.ts',
    ]);
    const all = (section('Quick start') + section('Testing')).match(/```ts\n/g) ?? [];
    expect(all).toHaveLength(files.length);
  });

  it('should type-check as written against the built package', () => {
    rmSync(app, { recursive: true, force: true });
    for (const file of files) {
      mkdirSync(dirname(join(app, file.path)), { recursive: true });
      writeFileSync(join(app, file.path), file.code);
    }
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(root, join(app, 'node_modules', 'ctp-client'), 'dir');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'readme-app', private: true, type: 'module' }));
    // The settings the README's Install section names, plus what any strict app has.
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          experimentalDecorators: true,
          module: 'nodenext',
          strict: true,
          target: 'ES2022',
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['src', 'test'],
      }),
    );
    let output = '';
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], {
        encoding: 'utf8',
      });
    } catch (error) {
      output = (error as { stdout: string }).stdout;
    }
    expect(output).toBe('');
  }, 120_000);
});
