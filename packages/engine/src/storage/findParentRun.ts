import type { Queryable } from './database.ts';
import type { ChildRunLink } from './insertChildRun.ts';

/** The node attempt that started a run, if a `workflow` node did (child_runs_child: one index probe). */
export async function findParentRun(db: Queryable, childRunId: string): Promise<ChildRunLink | undefined> {
  const result = await db.query<ChildRunLink>({
    name: 'find-parent-run',
    text: `SELECT parent_run_id AS "parentRunId", parent_node AS "parentNode", parent_attempt AS "parentAttempt", child_run_id AS "childRunId"
             FROM child_runs WHERE child_run_id = $1`,
    values: [childRunId],
  });
  return result.rows[0];
}
