import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    globalSetup: ['./vitest.globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file has its own database and queue prefix, so files run in parallel.
    pool: 'forks',
  },
});
