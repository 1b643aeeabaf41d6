import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';

/**
 * A stopping worker gives up the leases of the nodes it did not finish by
 * expiring them now, so the reconciler of any replica retries them on its next
 * tick instead of after a full lease. The owner stays set: a report the worker
 * still manages to commit meanwhile remains valid.
 */
export async function releaseLeases(db: Queryable, release: { leaseOwner: string; now: Date }): Promise<number> {
  const result = await db.query(
    `UPDATE node_runs SET lease_expires_at = $2
      WHERE lease_owner = $1 AND status = ${Status.RUNNING} AND lease_expires_at > $2`,
    [release.leaseOwner, release.now],
  );
  return result.rowCount ?? 0;
}
