import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/chaos/**', 'node_modules/**'],
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    // A limit, not an assertion: generous enough that a machine with another process busy on its cores (issue 14
    // item 5) finishes a slow test instead of failing it; a hung test still fails.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // Timing is for `npm run bench`; tests assert behaviour only.
    reporters: ['default'],
  },
});
