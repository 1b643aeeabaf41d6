import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Where browser tests save screenshots: the committed `docsDirectory` when
 * UPDATE_SCREENSHOTS=1 (to refresh the pictures the README shows), otherwise a
 * fresh temporary folder, so an ordinary test run leaves the working tree clean.
 */
export function screenshotDirectory(docsDirectory: string): string {
  return process.env.UPDATE_SCREENSHOTS === '1' ? docsDirectory : mkdtempSync(path.join(tmpdir(), 'flowline-screenshots-'));
}
