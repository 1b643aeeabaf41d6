import type { Queryable } from './database.ts';
import type { ChildRunLink } from './insertChildRun.ts';

/**
 * The node attempts that started any of these runs, where a `workflow` node
 * did: one statement for all the runs a decision batch ended
 * (child_runs_child: one index probe each), most of which have no parent.
 */
export async function findParentRuns(db: Queryable, childRunIds: readonly string[]): Promise<ChildRunLink[]> {
  const result = await db.query<ChildRunLink>({
    name: 'find-parent-runs',
    text: `SELECT parent_run_id AS "parentRunId", parent_node AS "parentNode", parent_attempt AS "parentAttempt", child_run_id AS "childRunId"
             FROM child_runs WHERE child_run_id = ANY($1::uuid[])`,
    values: [childRunIds],
  });
  return result.rows;
}
