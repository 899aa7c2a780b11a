import { defineConfig } from 'tsup';

// ESM and CJS with a declaration file for each (.d.ts beside .js, .d.cts beside .cjs): one shared
// declaration file would tell CJS consumers the package is ESM.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
});
