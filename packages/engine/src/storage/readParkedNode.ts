import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';

/** A node of a run parked in Postgres (core/parkedNode.ts), as the engine hands it what it waits for. */
export interface ParkedNodeRow {
  readonly runId: string;
  readonly orgId: string;
  readonly node: string;
  readonly type: string;
  readonly attempt: number;
  readonly status: Status;
  readonly parameters: Record<string, unknown>;
}

/** The columns of a ParkedNodeRow, from node_runs `n` joined to its workflow_runs `r`. */
export const PARKED_NODE_COLUMNS = `n.run_id AS "runId", r.org_id AS "orgId", n.name AS node, n.type, n.attempt, n.status, n.parameters`;

/** One node of a run with its run's org, whatever its status (a parked node's facts are its row's: the start wrote its spec's params there). */
export async function readParkedNode(db: Queryable, runId: string, node: string): Promise<ParkedNodeRow | undefined> {
  const result = await db.query<ParkedNodeRow>(
    `SELECT ${PARKED_NODE_COLUMNS} FROM node_runs n JOIN workflow_runs r ON r.id = n.run_id WHERE n.run_id = $1 AND n.name = $2`,
    [runId, node],
  );
  return result.rows[0];
}
