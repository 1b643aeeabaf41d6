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
  /**
   * Connections for the engine's own hot statements — claims, decisions, starts
   * — which are named (prepared once per connection) and always run on a
   * generic plan: planning their CTEs took 3–4 ms, running them well under
   * one. A cached plan outlives the statistics it was made on, so these
   * connections also refuse sequential scans: every hot statement reaches its
   * rows through a key, and a plan made while the tables were young (a fresh
   * install, the benchmark's scratch database) otherwise kept scanning them
   * whole as they grew — S1 at 20,000 runs fell to 221 runs/s; with index
   * plans forced it holds 1,855. Kept apart from `pool` because both settings
   * are per connection, and the history queries, whose best plan depends on
   * their filter values, need their plans made for those values.
   */
  readonly prepared: pg.Pool;
  readonly orm: Drizzle;
  /** Ends both pools. */
  close(): Promise<void>;
}

/** Opens the pools of a Postgres database (see Database); `max` sizes each. */
export function openDatabase(connectionString: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 20, application_name: 'flowline' });
  const prepared = new pg.Pool({
    connectionString,
    max: options.max ?? 20,
    application_name: 'flowline',
    options: '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off',
  });
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => {});
  prepared.on('error', () => {});
  return {
    pool,
    prepared,
    orm: drizzle(pool, { schema }),
    close: async () => {
      await Promise.all([pool.end(), prepared.end()]);
    },
  };
}

export type Queryable = pg.Pool | pg.PoolClient;

/** A connection lost while checked out between two statements: the next query rejects, which is where it is handled. */
const ignoreCheckedOutError = () => {};

/**
 * Runs `work` in one transaction on one client of `pool` (default: the
 * general pool); rolls back on throw. A checked-out
 * client whose connection dies between statements (Postgres restarting) emits
 * 'error' with no pool listener attached; unheard, that event killed the whole
 * worker process (seen in `pnpm chaos`), so it is heard here and the client,
 * possibly broken, is destroyed rather than returned to the pool.
 */
export async function inTransaction<T>(db: Database, work: (client: pg.PoolClient) => Promise<T>, pool: pg.Pool = db.pool): Promise<T> {
  const client = await pool.connect();
  client.on('error', ignoreCheckedOutError);
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A ROLLBACK that fails means the connection itself is gone: never reuse it.
    broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw error;
  } finally {
    client.off('error', ignoreCheckedOutError);
    client.release(broken ? new Error('connection lost mid-transaction') : undefined);
  }
}
