import { TERMINAL_STATUSES } from '../core/status.ts';
import type { Queryable } from './database.ts';

const TERMINAL = TERMINAL_STATUSES.join(', ');

/**
 * Live runs none of whose nodes is live any more: the run's own status write
 * is missing (a decision that settled the nodes but not the run). Reads the
 * small `workflow_runs_live` partial index, never the history.
 */
export async function listSettleableRuns(db: Queryable, query: { limit: number }): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT r.id FROM workflow_runs r
      WHERE r.status NOT IN (${TERMINAL})
        AND NOT EXISTS (SELECT 1 FROM node_runs n WHERE n.run_id = r.id AND n.status NOT IN (${TERMINAL}))
      LIMIT $1`,
    [query.limit],
  );
  return result.rows.map((r) => r.id);
}
