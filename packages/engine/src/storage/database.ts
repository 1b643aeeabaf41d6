import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { ReadReplica } from './readReplica.ts';
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
 * Nothing on the pool keeps state past a transaction that a pooler could
 * not carry: no session `SET`, no session advisory lock, no `LISTEN`. So
 * DATABASE_URL may be a PgBouncer in transaction pooling mode, which hands
 * each transaction any server connection; what needs a session of its own (a
 * worker's liveness lock, migrations) goes through `connectSession`, on
 * FLOWLINE_DIRECT_DATABASE_URL when there is one.
 *
 * The hot statements (claims, decisions, starts) are named: planning their
 * CTEs cost 3–4 ms where running them cost under one, and a named statement is
 * planned once per connection; Postgres keeps a generic plan once it costs no
 * more than the custom ones and replans when ANALYZE changes the tables'
 * statistics. A pooler would hand a name prepared on one server connection to
 * a transaction on another, so behind one (a direct URL given) the pool's
 * clients send every statement unnamed: S2's chain hop, on 2 cores, p50
 * ~4.0 ms named, ~5.4 ms unnamed. Plans are never forced (a forced generic
 * plan outlived the statistics it was made on, and a pooler cannot keep the
 * setting): each hot statement reaches its rows through a key by its shape (a
 * `LATERAL` probe per row with `OFFSET 0`, writes by `ctid`), which the
 * planner takes once ANALYZE says a table is more than a few pages —
 * auto_explain over 3,070 runs, after one: no sequential scan of runs, nodes
 * or attempts in ~360 hot statements (docs/scaling.md).
 */
export interface Database {
  readonly pool: pg.Pool;
  readonly orm: Drizzle;
  /**
   * A connection of its own for session state, outside the pool's
   * transactions: on the direct URL when the pool is a pooler (a connection
   * of that server, not counted in the pool), else one of the pool's.
   */
  connectSession(): Promise<SessionConnection>;
  /** where history lists and counts read when FLOWLINE_READ_DATABASE_URL is set (see ReadReplica) */
  readonly readReplica: ReadReplica | undefined;
  /** Ends the pool (and the replica's). */
  close(): Promise<void>;
}

/** A connection kept for its session (see Database.connectSession). */
export interface SessionConnection {
  readonly client: pg.Client | pg.PoolClient;
  /** Ends the session (and with it its locks); the connection is never reused. */
  end(): void;
}

/** How to reach Postgres: `max` bounds the pool; `directUrl`, the server behind a pooler at `connectionString`. */
export interface DatabaseOptions {
  readonly max?: number;
  /** set when `connectionString` is a pooler in transaction mode (PgBouncer): sessions and migrations go here */
  readonly directUrl?: string | undefined;
  /** a streaming replica for history reads, and how far behind it may be before reads go to the primary */
  readonly read?: { readonly url: string; readonly maxLagMs: number } | undefined;
}

/** The pool's size when none is given (Config.pgPoolMax's default). */
export const DEFAULT_POOL_MAX = 20;

/**
 * client_connection_check_interval: a statement of a process that died while it waited (a claim queued
 * behind a row lock) is cancelled within a second, rather than committing for nobody later. Sent as a
 * startup option, which PgBouncer refuses; behind one it is the pooler's socket Postgres would check anyway.
 */
const DIRECT_OPTIONS = '-c client_connection_check_interval=1000';

/**
 * A pool client that sends every statement unnamed (see Database): only plain
 * query configs carry a name here; a submittable (a cursor) passes as it is.
 */
class UnnamedStatementClient extends pg.Client {}
const namedQuery = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
UnnamedStatementClient.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
  if (typeof config !== 'object' || config === null || Object.getPrototypeOf(config) !== Object.prototype || !('name' in config)) {
    return namedQuery.call(this, config, ...rest);
  }
  const unnamed: Record<string, unknown> = { ...config };
  delete unnamed.name;
  return namedQuery.call(this, unnamed, ...rest);
} as pg.Client['query'];

/** Opens the process's pool of a Postgres database (see Database). */
export function openDatabase(connectionString: string, options: DatabaseOptions = {}): Database {
  const { directUrl } = options;
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? DEFAULT_POOL_MAX,
    application_name: 'flowline',
    ...(directUrl === undefined ? { options: DIRECT_OPTIONS } : { Client: UnnamedStatementClient }),
  });
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => {});
  const readReplica = options.read && new ReadReplica(options.read.url, pool, options.read.maxLagMs, options.max ?? DEFAULT_POOL_MAX);
  return {
    pool,
    orm: drizzle(pool, { schema }),
    connectSession: () => (directUrl === undefined ? poolSession(pool) : directSession(directUrl)),
    readReplica,
    close: async () => {
      await readReplica?.close();
      await pool.end();
    },
  };
}

async function poolSession(pool: pg.Pool): Promise<SessionConnection> {
  const client = await pool.connect();
  return { client, end: () => client.release(true) };
}

async function directSession(url: string): Promise<SessionConnection> {
  const client = new pg.Client({ connectionString: url, application_name: 'flowline-session', options: DIRECT_OPTIONS });
  try {
    await client.connect();
  } catch (error) {
    client.on('error', () => {});
    void client.end();
    throw error;
  }
  return { client, end: () => void client.end().catch(() => {}) };
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
