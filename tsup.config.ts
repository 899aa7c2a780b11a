import { defineConfig } from 'tsup';

export default defineConfig([
  // The library: ESM and CJS with a declaration file for each (.d.ts beside .js, .d.cts beside
  // .cjs); one shared declaration file would tell CJS consumers the package is ESM.
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    // import.meta.url (for loading the optional ioredis) in the CJS build too.
    shims: true,
  },
  // The `ctp-client` command, and beside it the embedded commercetools it loads lazily for
  // --embedded. The mock stays external: it is a dev dependency, there only in the repository.
  {
    entry: { cli: 'src/cli/main.ts', embedded: 'examples/server-v3/embedded/startEmbeddedCommercetools.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    banner: { js: '#!/usr/bin/env node' },
    external: ['@labdigital/commercetools-mock'],
  },
]);
