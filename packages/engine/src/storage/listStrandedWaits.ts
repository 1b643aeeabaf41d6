import { ParkedNodeType } from '../core/parkedNode.ts';
import { Status, TERMINAL_STATUSES } from '../core/status.ts';
import type { Queryable } from './database.ts';
import { PARKED_NODE_COLUMNS, type ParkedNodeRow } from './readParkedNode.ts';
import { statusArraySql } from './statusSql.ts';

/**
 * Nodes waiting without a worker whose hand-over a crash lost, waiting since
 * before `startedBefore`: a `wait` or `approval` node with a signal of its
 * name kept for it, a node whose child run has ended, a `workflow` node whose
 * child was never started. Each hand-over is made from both sides as they
 * happen (WaitSystem); this finds the few a process died in the middle of.
 * Only RUNNING rows with no lease are looked at, through the partial index of
 * live rows (node_runs_live_lease), never the whole table.
 */
export async function listStrandedWaits(db: Queryable, sweep: { startedBefore: Date; limit: number }): Promise<ParkedNodeRow[]> {
  const result = await db.query<ParkedNodeRow>(
    `SELECT ${PARKED_NODE_COLUMNS}
       FROM node_runs n JOIN workflow_runs r ON r.id = n.run_id
      WHERE n.status = ${Status.RUNNING} AND n.lease_expires_at IS NULL AND n.lease_owner IS NULL AND n.started_at < $1
        AND (
          (n.type = ANY($3::text[]) AND EXISTS (
             SELECT 1 FROM run_signals s
              WHERE s.run_id = n.run_id AND s.name = COALESCE(n.parameters->>'signal', n.name)
                AND (s.consumed_by IS NULL OR (s.consumed_by = n.name AND s.consumed_attempt = n.attempt))))
          OR EXISTS (
             SELECT 1 FROM child_runs c JOIN workflow_runs child ON child.id = c.child_run_id
              WHERE c.parent_run_id = n.run_id AND c.parent_node = n.name AND c.parent_attempt = n.attempt
                AND child.status = ANY(${statusArraySql(TERMINAL_STATUSES)}))
          OR (n.type = $4 AND NOT EXISTS (
             SELECT 1 FROM child_runs c WHERE c.parent_run_id = n.run_id AND c.parent_node = n.name AND c.parent_attempt = n.attempt))
        )
      LIMIT $2`,
    [sweep.startedBefore, sweep.limit, [ParkedNodeType.WAIT, ParkedNodeType.APPROVAL], ParkedNodeType.WORKFLOW],
  );
  return result.rows;
}
