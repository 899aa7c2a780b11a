import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Runs against dist/: `npm test` builds first. A consumer project outside the repository, with the
// package linked into its node_modules, type-checked by the repository's own tsc under each
// moduleResolution an app may use: both entries must resolve with their types (node10 reads
// ctp-client/testing through typesVersions, node16 and bundler through exports).
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'ctp-client-types-'));
mkdirSync(join(work, 'node_modules'));
symlinkSync(root, join(work, 'node_modules', 'ctp-client'), 'dir');

const CONSUMER = `import { ctpModule, loadCtpConfig, type CtpClient, type CtpSession } from 'ctp-client';
import { createMockCommercetools, type MockCommercetools } from 'ctp-client/testing';
export const mock: MockCommercetools = createMockCommercetools();
export const module = ctpModule(loadCtpConfig(mock.env), { fetch: mock.fetch });
export async function call(client: CtpClient, session: CtpSession): Promise<string> {
  await session.ensureAnonymous();
  return (await (await client.customerApiRoot()).me().get().execute()).body.id;
}
`;

afterAll(() => rmSync(work, { recursive: true, force: true }));

function typeCheck(name: string, module: string, moduleResolution: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module,
        moduleResolution,
        strict: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
        // The package's own declarations are checked; its dependencies' are theirs.
        skipLibCheck: true,
      },
      files: ['consumer.ts'],
    }),
  );
  try {
    return execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe('the types of ctp-client and ctp-client/testing', () => {
  it.each([
    ['node10', 'commonjs', 'node10'],
    ['node16', 'node16', 'node16'],
    ['bundler', 'esnext', 'bundler'],
  ])(
    'should resolve under moduleResolution %s',
    (name, module, moduleResolution) => {
      expect(typeCheck(name, module, moduleResolution)).toBe('');
    },
    // One tsc run reads the platform SDK's declarations: seconds, more on the shared machine.
    60_000,
  );
});
