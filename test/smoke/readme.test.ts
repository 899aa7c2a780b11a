import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The README's TypeScript blocks in "Quick start" and "Testing", each headed by its file path (and
// "(CommonJS)" or "(ESM)" for a file of one variant only), written out as two apps, a CommonJS one on
// inversify 6 and an ESM one on inversify 8, and type-checked by tsc against the built package (dist/,
// through the package's exports) with the settings the README's Install section names. `npm test`
// builds first.
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
// Inside node_modules, so the apps' other imports (inversify, express, vitest) resolve from the repository's.
const apps = join(root, 'node_modules', '.cache', 'ctp-client-readme');

type Variant = 'CommonJS' | 'ESM';
interface Block {
  path: string;
  variant: Variant | undefined;
  code: string;
}

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
}

function blocks(text: string): Block[] {
  return [...text.matchAll(/```ts\n(\/\/ (\S+)(?: \((CommonJS|ESM)\))?\n[\s\S]*?)```/g)].map((m) => ({
    path: m[2]!,
    variant: m[3] as Variant | undefined,
    code: m[1]!,
  }));
}

/** Writes the blocks of one variant (and those of both) as an app and answers tsc's output. */
function typeCheck(variant: Variant, files: Block[]): string {
  const app = join(apps, variant);
  for (const file of files.filter((f) => f.variant === undefined || f.variant === variant)) {
    mkdirSync(dirname(join(app, file.path)), { recursive: true });
    writeFileSync(join(app, file.path), file.code);
  }
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(root, join(app, 'node_modules', 'ctp-client'), 'dir');
  const type = variant === 'ESM' ? 'module' : 'commonjs';
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `readme-${type}`, private: true, type }));
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
        // The CommonJS app is a server-v3 one: inversify 6 (installed here as the alias inversify6).
        ...(variant === 'CommonJS' ? { paths: { inversify: [join(root, 'node_modules', 'inversify6')] } } : {}),
      },
      include: ['src', 'test'],
    }),
  );
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], {
      encoding: 'utf8',
    });
    return '';
  } catch (error) {
    return (error as { stdout: string }).stdout;
  }
}

afterAll(() => rmSync(apps, { recursive: true, force: true }));

describe('the README', () => {
  const files = [...blocks(section('Quick start')), ...blocks(section('Testing'))];

  it('should head every TypeScript block of the quick start and the testing kit with its file path', () => {
    expect(files.map((f) => `${f.path}${f.variant ? ` (${f.variant})` : ''}`)).toEqual([
      'src/datasources.ts',
      'src/ShopController.ts (CommonJS)',
      'src/main.ts (CommonJS)',
      'src/main.ts (ESM)',
      'test/ExampleCartDatasource.test.ts',
    ]);
    const all = (section('Quick start') + section('Testing')).match(/```ts\n/g) ?? [];
    expect(all).toHaveLength(files.length);
  });

  it.each<Variant>(['CommonJS', 'ESM'])(
    'should type-check as written against the built package: the %s app',
    (variant) => {
      rmSync(join(apps, variant), { recursive: true, force: true });
      expect(typeCheck(variant, files)).toBe('');
    },
    120_000,
  );

  it('should stay at most 12 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12_000);
  });
});
