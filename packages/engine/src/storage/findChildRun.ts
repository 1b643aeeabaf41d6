import type { Queryable } from './database.ts';
import type { ChildRunLink } from './insertChildRun.ts';
import type { NodeAttempt } from './nodeAttempt.ts';

/** The child run a node attempt started, if it started one (child_runs_pkey: one index probe). */
export async function findChildRun(db: Queryable, { runId, node, attempt }: NodeAttempt): Promise<ChildRunLink | undefined> {
  const result = await db.query<ChildRunLink>({
    name: 'find-child-run',
    text: `SELECT parent_run_id AS "parentRunId", parent_node AS "parentNode", parent_attempt AS "parentAttempt", child_run_id AS "childRunId"
             FROM child_runs WHERE parent_run_id = $1 AND parent_node = $2 AND parent_attempt = $3`,
    values: [runId, node, attempt],
  });
  return result.rows[0];
}
