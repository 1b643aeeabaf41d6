import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.ts';

// timestamptz comes back as Date (pg's default); bigint (int8) as number: our
// identities stay far below 2^53 and the dialects render them as JSON numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Drizzle = NodePgDatabase<typeof schema>;

/** The Postgres handle every storage function takes: a pool for hand-written SQL and drizzle over it. */
export interface Database {
  readonly pool: pg.Pool;
  readonly orm: Drizzle;
}

export function openDatabase(connectionString: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 20, application_name: 'flowline' });
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => {});
  return { pool, orm: drizzle(pool, { schema }) };
}

export type Queryable = pg.Pool | pg.PoolClient;

/** Runs `work` in one transaction on one client; rolls back on throw. */
export async function inTransaction<T>(db: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
