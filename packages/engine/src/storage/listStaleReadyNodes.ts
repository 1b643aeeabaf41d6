import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';
import type { NodeAttempt } from './nodeAttempt.ts';
import { livenessKeySql } from './workerLiveness.ts';

/** A READY attempt that has waited a while, and the local lane it was handed to, if any. */
export interface StaleReadyNode extends NodeAttempt {
  /** the worker whose lane it was handed to (the row names it), and that worker's liveness key */
  readonly handedTo: string | null;
  readonly handedToKey: number | null;
  /** its run's definition version, whose spec of the node says which queue it goes to */
  readonly definitionId: number;
  readonly definitionVersion: number;
  /** its run's priority, which its job keeps when queued again */
  readonly priority: number;
  /** when it became READY (its row's last write): a batch job waiting since before may hold it (NodeQueue.redispatch) */
  readonly readyAt: Date;
}

/**
 * READY node attempts that have waited since before `readySince`: each should
 * have a queue job — or, handed to a lane, a live worker — and the reconciler
 * checks that it does. Those just made READY are left out, their dispatch
 * follows the commit in a moment. Oldest first, so a backlog is worked through
 * rather than its head rechecked.
 */
export async function listStaleReadyNodes(db: Queryable, query: { readySince: Date; limit: number }): Promise<StaleReadyNode[]> {
  const result = await db.query<StaleReadyNode>(
    `SELECT n.run_id AS "runId", n.name AS node, n.attempt, n.lease_owner AS "handedTo",
            CASE WHEN n.lease_owner IS NOT NULL THEN ${livenessKeySql('n.lease_owner')} END AS "handedToKey",
            r.definition_id AS "definitionId", r.definition_version AS "definitionVersion", r.priority, n.updated_at AS "readyAt"
       FROM node_runs n JOIN workflow_runs r ON r.id = n.run_id
      WHERE n.status = ${Status.READY} AND n.updated_at < $1
      ORDER BY n.updated_at
      LIMIT $2`,
    [query.readySince, query.limit],
  );
  return result.rows;
}
