import { defineConfig } from 'vitest/config';

// What `npm run mutate` runs against each mutant: the unit tests and the reliability and fleet tests
// that exercise src/ directly. Tests of the built package (dist/, examples, the smoke test) cannot
// see a mutant of src/ and would only slow every run down.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/reliability/**/*.test.ts', 'test/integration/fleet/**/*.test.ts'],
    testTimeout: 30_000,
    // Fewer explored interleavings per mutant (400 in npm test): a broken guard shows in the first few dozen.
    env: { RUNS: '40' },
  },
});
