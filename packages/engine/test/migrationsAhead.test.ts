import { freshDatabase, type TestDatabase } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseAheadOfCode, assertDatabaseNotAhead, migrateDatabase } from '../src/storage/migrate.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('a database migrated ahead of the code', () => {
  it('is accepted while its migrations are the ones the code knows', async () => {
    await expect(assertDatabaseNotAhead(database.db)).resolves.toBeUndefined();
  });

  it('is refused, with one line saying why, once a newer migration was applied', async () => {
    await database.db.pool.query(
      `INSERT INTO drizzle.__drizzle_migrations (hash, created_at)
       SELECT 'from-the-future', max(created_at) + 1000 FROM drizzle.__drizzle_migrations`,
    );
    const refusal = assertDatabaseNotAhead(database.db);
    await expect(refusal).rejects.toBeInstanceOf(DatabaseAheadOfCode);
    await expect(refusal).rejects.toThrow(/^the database has 1 migration\(s\) newer than this flowline knows \(its latest is \d{4}_\w+\)[^\n]*$/);
    await expect(migrateDatabase(database.db)).rejects.toBeInstanceOf(DatabaseAheadOfCode);
  });
});
