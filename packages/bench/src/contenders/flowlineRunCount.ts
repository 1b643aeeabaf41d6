import pg from 'pg';

/** Run statuses after which a run changes only if an operator reruns it (the engine's terminal set). */
const ENDED = '(-1, 1, 4, 7, 8, 10)';

/** How the harness counts a flowline's runs from its database: see `flowlineRunCount`. */
export interface FlowlineRunCount {
  /** runs not ended yet */
  live(): Promise<number>;
  succeeded(): Promise<number>;
  end(): Promise<void>;
}

/**
 * Counts a flowline's runs on connections of the harness's own. Live runs are
 * counted from the oldest one still live onward (by `seq`, which the start
 * order sets): left to count every row's status, Postgres scanned the whole
 * table, finished runs of earlier repetitions too, ~100 times a repetition
 * (144 rows read per run started, measured) — the poll, not flowline, was then
 * the largest reader of the table. Its partial index of live runs is no
 * cheaper to count: finished runs leave dead entries in it until a vacuum
 * (312 entries read per run, measured).
 */
export function flowlineRunCount(url: string): FlowlineRunCount {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  let oldestLive = 0;
  return {
    async live() {
      const { rows } = await pool.query<{ oldest: string | null; n: string }>(
        `SELECT min(seq) AS oldest, count(*) AS n FROM workflow_runs WHERE seq >= $1 AND status NOT IN ${ENDED}`,
        [oldestLive],
      );
      if (rows[0]!.oldest !== null) oldestLive = Number(rows[0]!.oldest);
      return Number(rows[0]!.n);
    },
    async succeeded() {
      return Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM workflow_runs WHERE status = 1`)).rows[0]!.n);
    },
    end: () => pool.end(),
  };
}
