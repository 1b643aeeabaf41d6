import type { Queryable } from './database.ts';

/** Where a child run was started from: the parent run, and the `workflow` node attempt that waits for it. */
export interface ChildRunLink {
  readonly parentRunId: string;
  readonly parentNode: string;
  readonly parentAttempt: number;
  readonly childRunId: string;
}

/**
 * Links a child run to the node attempt that started it. The child's start
 * is keyed by that attempt, so a start repeated finds the same child, and so
 * does this link: a repeat changes nothing.
 */
export async function insertChildRun(db: Queryable, link: ChildRunLink): Promise<void> {
  await db.query(
    `INSERT INTO child_runs (parent_run_id, parent_node, parent_attempt, child_run_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [link.parentRunId, link.parentNode, link.parentAttempt, link.childRunId],
  );
}
