import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { z } from 'zod';
import type { Database } from './database.ts';
import { listAppliedMigrations } from './listAppliedMigrations.ts';

/** The committed drizzle-kit migrations at the repository root. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../../drizzle', import.meta.url));

/**
 * Applies every pending migration, in one transaction, on a session connection
 * (the direct URL behind a pooler: DDL and the migrator's ledger want the
 * server itself, not whichever connection a pooler lends).
 */
export async function migrateDatabase(db: Database): Promise<void> {
  await assertDatabaseNotAhead(db);
  const session = await db.connectSession();
  session.client.on('error', () => {});
  try {
    await migrate(drizzle(session.client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    session.end();
  }
}

/** The database was migrated by a newer flowline than this one: running on it could corrupt records. */
export class DatabaseAheadOfCode extends Error {
  constructor(applied: number, latestKnown: { tag: string; when: number }) {
    super(
      `the database has ${applied} migration(s) newer than this flowline knows (its latest is ${latestKnown.tag}); ` +
        'run the flowline version that migrated it, or a newer one',
    );
    this.name = 'DatabaseAheadOfCode';
  }
}

const JournalSchema = z.object({ entries: z.array(z.object({ tag: z.string(), when: z.number() })).min(1) });

/**
 * Refuses to start on a database whose applied migrations are ahead of the
 * code: drizzle's migrator would silently apply nothing, and this build would
 * then write rows in a shape the schema no longer has. Compares drizzle's
 * ledger with the journal committed beside the migrations.
 */
export async function assertDatabaseNotAhead(db: Database): Promise<void> {
  const journal = JournalSchema.parse(JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')));
  const latest = journal.entries.reduce((a, b) => (b.when > a.when ? b : a));
  const ahead = (await listAppliedMigrations(db.pool)).filter((when) => when > latest.when);
  if (ahead.length > 0) throw new DatabaseAheadOfCode(ahead.length, latest);
}
