import { TERMINAL_STATUSES } from '../core/status.ts';
import type { Queryable } from './database.ts';

const TERMINAL = TERMINAL_STATUSES.join(', ');

/**
 * Live runs not written since `updatedBefore` none of whose nodes is live any
 * more: the run's own status write is missing (a decision that settled the
 * nodes but not the run). Reads the range of the `workflow_runs_live` partial
 * index before that time, never the history, nor the live runs written since:
 * a backlog of 20,000 runs waiting for workers cost a probe each every pass
 * (44 ms), to repair what no run written that recently needs yet.
 */
export async function listSettleableRuns(db: Queryable, query: { updatedBefore: Date; limit: number }): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT r.id FROM workflow_runs r
      WHERE r.status NOT IN (${TERMINAL}) AND r.updated_at < $2
        AND NOT EXISTS (SELECT 1 FROM node_runs n WHERE n.run_id = r.id AND n.status NOT IN (${TERMINAL}))
      LIMIT $1`,
    [query.limit, query.updatedBefore],
  );
  return result.rows.map((r) => r.id);
}
