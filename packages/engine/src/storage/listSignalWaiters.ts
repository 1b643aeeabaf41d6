import { ParkedNodeType } from '../core/parkedNode.ts';
import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';
import { PARKED_NODE_COLUMNS, type ParkedNodeRow } from './readParkedNode.ts';

/**
 * The parked `wait` and `approval` nodes of a run that consume the signal
 * `name` (params.signal, else the node's name): those RUNNING now, in DAG order.
 */
export async function listSignalWaiters(db: Queryable, runId: string, name: string): Promise<ParkedNodeRow[]> {
  const result = await db.query<ParkedNodeRow>(
    `SELECT ${PARKED_NODE_COLUMNS} FROM node_runs n JOIN workflow_runs r ON r.id = n.run_id
      WHERE n.run_id = $1 AND n.status = ${Status.RUNNING} AND n.type = ANY($3::text[]) AND COALESCE(n.parameters->>'signal', n.name) = $2
      ORDER BY n.position`,
    [runId, name, [ParkedNodeType.WAIT, ParkedNodeType.APPROVAL]],
  );
  return result.rows;
}
