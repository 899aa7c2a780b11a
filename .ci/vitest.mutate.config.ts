import { configDefaults, defineConfig } from 'vitest/config';

// What `npm run mutate` runs against each mutant: the unit tests and the reliability and fleet tests
// that exercise src/ directly. Tests of the built package (dist/, examples, the smoke test) cannot
// see a mutant of src/ and would only slow every run down.
//
// MUTATE_TESTS narrows this to a comma-separated list of globs for a run scoped to one file
// (`MUTATE_TESTS='test/unit/util/**' npx stryker run .ci/stryker.config.json --mutate src/util/KeyedMutex.ts`):
// on a shared 2-core machine every test file vitest loads costs each mutant that it covers.
const defaultInclude = [
  'test/unit/**/*.test.ts',
  'test/integration/reliability/**/*.test.ts',
  'test/integration/fleet/**/*.test.ts',
];
const narrowed = process.env.MUTATE_TESTS?.split(',')
  .map((glob) => glob.trim())
  .filter((glob) => glob.length > 0);

export default defineConfig({
  test: {
    include: narrowed && narrowed.length > 0 ? narrowed : defaultInclude,
    // Stryker's sandbox holds a full copy of test/: were it picked up, every test would run twice and
    // against unmutated code.
    exclude: [...configDefaults.exclude, '**/.stryker-tmp/**', 'reports/**'],
    testTimeout: 30_000,
    // Fewer explored interleavings per mutant (400 in npm test): a broken guard shows in the first few
    // dozen. MUTATE_RUNS lowers it further for a quick scoped run.
    env: { RUNS: process.env.MUTATE_RUNS ?? '40' },
  },
});
