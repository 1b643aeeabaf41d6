import { ensureTemplate } from '@flowline/engine/testing';

/** Migrates the template database once; every test file clones it. */
export default async function setup(): Promise<void> {
  await ensureTemplate();
}
