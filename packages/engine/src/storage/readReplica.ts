import pg from 'pg';

/** Which server history reads go to now, and why. */
export interface ReplicaState {
  readonly serving: 'replica' | 'primary';
  /** how far the replica's replay is behind the primary's WAL, in seconds; undefined while it cannot be told */
  readonly lagSeconds: number | undefined;
  /** why reads are on the primary; undefined while the replica serves them */
  readonly reason: string | undefined;
}

/** How often the replica's lag is measured. */
const CHECK_MS = 1_000;

/**
 * A streaming read replica for history reads (FLOWLINE_READ_DATABASE_URL):
 * the lists, pages and counts of every surface, which are the heavy reads and
 * may be a moment old. A run's own detail, a start's answer and anything read
 * after the process's own write stay on the primary. Every second the lag is
 * measured (the primary's WAL position against the replica's replay); a
 * replica that is behind by more than `maxLagMs`, or does not answer, is left
 * for the primary until it catches up, and a read that fails on it is retried
 * on the primary at once: a lost replica slows history down, it fails nothing.
 */
export class ReadReplica {
  private readonly pool: pg.Pool;
  private state: ReplicaState = { serving: 'primary', lagSeconds: undefined, reason: 'not measured yet' };
  private readonly timer: NodeJS.Timeout;

  constructor(
    url: string,
    private readonly primary: pg.Pool,
    private readonly maxLagMs: number,
    max: number,
  ) {
    // A replica gone mid-query must not hold a history request long: the read falls back to the primary.
    this.pool = new pg.Pool({ connectionString: url, max, application_name: 'flowline-history', connectionTimeoutMillis: 2_000 });
    this.pool.on('error', () => {});
    void this.check();
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
  }

  /** Which server serves history reads now, and the replica's lag. */
  current(): ReplicaState {
    return this.state;
  }

  /** Runs a history read on the replica while it is fresh enough, else (or if it fails there) on the primary. */
  async read<T>(query: (db: pg.Pool) => Promise<T>): Promise<T> {
    if (this.state.serving === 'replica') {
      try {
        return await query(this.pool);
      } catch (error) {
        this.state = { serving: 'primary', lagSeconds: this.state.lagSeconds, reason: `replica read failed: ${(error as Error).message}` };
      }
    }
    return query(this.primary);
  }

  /** Measures the lag and picks the server for the next reads. */
  async check(): Promise<ReplicaState> {
    try {
      const replica = await this.pool.query<{ recovering: boolean; replayed: string | null; idleMs: number | null }>(
        `SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS replayed,
                (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS "idleMs"`,
      );
      const { recovering, replayed, idleMs } = replica.rows[0]!;
      if (!recovering || replayed === null) {
        this.state = { serving: 'primary', lagSeconds: undefined, reason: 'FLOWLINE_READ_DATABASE_URL is not a streaming replica' };
        return this.state;
      }
      const behind = await this.primary.query<{ bytes: number }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::float8 AS bytes`, [replayed]);
      // Caught up: no lag, however long ago its last transaction. Behind: at most as old as the last one it replayed.
      const lagMs = behind.rows[0]!.bytes <= 0 ? 0 : Math.max(0, idleMs ?? Number.POSITIVE_INFINITY);
      const lagSeconds = Number.isFinite(lagMs) ? lagMs / 1000 : undefined;
      this.state =
        lagMs <= this.maxLagMs
          ? { serving: 'replica', lagSeconds, reason: undefined }
          : { serving: 'primary', lagSeconds, reason: `replica behind by more than ${this.maxLagMs} ms` };
    } catch (error) {
      this.state = { serving: 'primary', lagSeconds: undefined, reason: `replica not reachable: ${(error as Error).message}` };
    }
    return this.state;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.pool.end();
  }
}
