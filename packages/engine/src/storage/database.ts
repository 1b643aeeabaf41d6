import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.ts';

// timestamptz comes back as Date (pg's default); bigint (int8) as number: our
// identities stay far below 2^53 and the dialects render them as JSON numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Drizzle = NodePgDatabase<typeof schema>;

/**
 * The Postgres handle every storage function takes: the process's one pool
 * (at most FLOWLINE_PG_POOL_MAX connections, so a fleet's connections add up
 * to what its processes are given) and drizzle over it.
 *
 * The engine's own hot statements — claims, decisions, starts — are named
 * (prepared once per connection) and always run on a generic plan: planning
 * their CTEs took 3–4 ms, running them well under one. A cached plan outlives
 * the statistics it was made on, so the connections also refuse sequential
 * scans where an index serves: every hot statement reaches its rows through a
 * key, and a plan made while the tables were young (a fresh install, the
 * benchmark's scratch database) otherwise kept scanning them whole as they
 * grew — S1 at 20,000 runs fell to 221 runs/s; with index plans it holds
 * 1,855. Both settings are per connection. History queries are sent unnamed,
 * which `plan_cache_mode` leaves alone: each is planned for its own filter values.
 */
export interface Database {
  readonly pool: pg.Pool;
  readonly orm: Drizzle;
  /** Ends the pool. */
  close(): Promise<void>;
}

/** The pool's size when none is given (Config.pgPoolMax's default). */
export const DEFAULT_POOL_MAX = 20;

/** Opens the process's pool of a Postgres database (see Database); `max` bounds its connections. */
export function openDatabase(connectionString: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? DEFAULT_POOL_MAX,
    application_name: 'flowline',
    // client_connection_check_interval: a statement of a process that died while it waited (a claim queued
    // behind a row lock) is cancelled within a second, rather than committing for nobody later.
    options: '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off -c client_connection_check_interval=1000',
  });
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => {});
  return { pool, orm: drizzle(pool, { schema }), close: () => pool.end() };
}

export type Queryable = pg.Pool | pg.PoolClient;

/** A connection lost while checked out between two statements: the next query rejects, which is where it is handled. */
const ignoreCheckedOutError = () => {};

/**
 * Runs `work` in one transaction on one client of the pool; rolls back on
 * throw. A checked-out
 * client whose connection dies between statements (Postgres restarting) emits
 * 'error' with no pool listener attached; unheard, that event killed the whole
 * worker process (seen in `pnpm chaos`), so it is heard here and the client,
 * possibly broken, is destroyed rather than returned to the pool.
 */
export async function inTransaction<T>(db: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
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
