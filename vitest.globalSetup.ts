// Imported by path: vitest loads its global setup before the `@flowline/source` condition applies.
import { ensureTemplate } from './packages/engine/src/testing/index.ts';

/** Migrates the template database once; every test file clones it. */
export default async function setup(): Promise<void> {
  await ensureTemplate();
}
