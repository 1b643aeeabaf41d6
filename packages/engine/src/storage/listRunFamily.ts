import type { Queryable } from './database.ts';
import type { ChildRunLink } from './insertChildRun.ts';

/** A run's links to the runs it started and the run that started it: every row of child_runs naming it, either side. */
export async function listRunFamily(db: Queryable, runId: string): Promise<ChildRunLink[]> {
  const result = await db.query<ChildRunLink>(
    `SELECT parent_run_id AS "parentRunId", parent_node AS "parentNode", parent_attempt AS "parentAttempt", child_run_id AS "childRunId"
       FROM child_runs WHERE parent_run_id = $1 OR child_run_id = $1
      ORDER BY parent_node, parent_attempt`,
    [runId],
  );
  return result.rows;
}
