import type { Queryable } from './database.ts';

/**
 * Creates the history partitions (workflow_runs, node_runs, node_attempts) of
 * every period from the one holding `since` to the one holding `upto` that
 * has none yet, and answers the end of the last period that now has them. One statement: the
 * migration's flowline_ensure_run_partitions does the work under an advisory
 * lock, so replicas calling it at once create each period once.
 */
export async function ensureRunPartitions(db: Queryable, since: Date, upto: Date, periodDays: number): Promise<Date> {
  const result = await db.query<{ until: Date }>(
    `SELECT flowline_ensure_run_partitions($1, $2, make_interval(days => $3)) AS until`,
    [since, upto, periodDays],
  );
  return result.rows[0]!.until;
}
