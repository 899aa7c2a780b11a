import { chmod, readFile, writeFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

// Class names are part of the error contract (`error.name`, and CtpError's cross-build instanceof
// compares them): esbuild must not rename a class it bundles.
const common = { sourcemap: true, target: 'node20', platform: 'node', keepNames: true } as const;

export default defineConfig([
  // ESM: the library, ctp-client/testing and the `ctp-client` command, split into shared chunks, so
  // the command runs the very library code dist/index.js exports instead of bundling a second copy.
  {
    ...common,
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', cli: 'src/cli/main.ts' },
    format: ['esm'],
    // stripInternal: a member marked @internal (a public class's plumbing) is left out of the types.
    dts: {
      entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
      compilerOptions: { stripInternal: true },
    },
    clean: true,
    splitting: true,
    async onSuccess() {
      // The shebang only on the command (a banner would put it on every file). `node --` because Node
      // reads --env-file anywhere in its argv, even after the script, and exits 9 on a missing file
      // before the command can say so; after `--`, every word is the command's.
      const cli = 'dist/cli.js';
      const text = await readFile(cli, 'utf8');
      if (!text.startsWith('#!')) await writeFile(cli, `#!/usr/bin/env -S node --\n${text}`);
      await chmod(cli, 0o755);
    },
  },
  // CJS, with its own declaration files (.d.cts: one shared .d.ts would tell CJS consumers the package
  // is ESM). ctp-client/testing shares no state with the library, so each entry may stand alone;
  // the library's one-per-process state lives on globalThis (see sessionContext, CtpError).
  {
    ...common,
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    format: ['cjs'],
    dts: { compilerOptions: { stripInternal: true } },
    splitting: false,
    // import.meta.url (for loading the optional ioredis) in the CJS build too.
    shims: true,
  },
]);
