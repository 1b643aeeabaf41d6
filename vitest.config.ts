import { defineConfig } from 'vitest/config';

/**
 * Tests run the workspace packages' TypeScript sources: the `@flowline/source`
 * export condition resolves `@flowline/*` to `src/` (everything else gets their
 * compiled `dist/`). The rest are the conditions vitest resolves with by default.
 */
const CONDITIONS = ['@flowline/source', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions: CONDITIONS } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    globalSetup: ['./vitest.globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file has its own database and queue prefix, so files run in parallel.
    pool: 'forks',
  },
});
