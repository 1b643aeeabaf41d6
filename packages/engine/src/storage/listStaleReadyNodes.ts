import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';
import type { NodeAttempt } from './nodeAttempt.ts';

/**
 * READY node attempts that have waited since before `readySince`: each should
 * have a queue job, and the reconciler checks that it does. Those just made
 * READY are left out, their dispatch follows the commit in a moment. Oldest
 * first, so a backlog is worked through rather than its head rechecked.
 */
export async function listStaleReadyNodes(db: Queryable, query: { readySince: Date; limit: number }): Promise<NodeAttempt[]> {
  const result = await db.query<NodeAttempt>(
    `SELECT run_id AS "runId", name AS node, attempt
       FROM node_runs
      WHERE status = ${Status.READY} AND updated_at < $1
      ORDER BY updated_at
      LIMIT $2`,
    [query.readySince, query.limit],
  );
  return result.rows;
}
