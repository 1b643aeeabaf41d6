import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The seal key when FLOWLINE_SEAL_KEY is unset: generated once into the data
 * directory (mode 0600) and reused, so sealed COS/Qiniu secrets survive restarts
 * of a single-machine install. Multi-host deployments set FLOWLINE_SEAL_KEY.
 */
export function readOrCreateSealKey(dataDir: string): string {
  const file = path.resolve(dataDir, 'seal.key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(path.dirname(file), { recursive: true });
    const key = randomBytes(32).toString('base64url');
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
}
