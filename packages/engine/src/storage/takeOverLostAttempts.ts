import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';
import type { NodeAttempt } from './nodeAttempt.ts';
import { livenessKeySql } from './workerLiveness.ts';

/** An attempt whose worker is gone: RUNNING under its lease, or READY and handed to its local lane. */
export interface LostAttempt extends NodeAttempt {
  readonly status: typeof Status.RUNNING | typeof Status.READY;
  /** the dead worker that held it */
  readonly lostBy: string;
  /** the lease the decision about it must find: the taker's, for a RUNNING attempt taken over; the dead worker's, for a READY one */
  readonly leaseOwner: string;
}

/**
 * The attempts of dead workers (by liveness key, see workerLiveness.ts): their
 * RUNNING attempts taken over in one statement — whoever's UPDATE takes a row
 * owns deciding its fate (SKIP LOCKED spreads rows between concurrent takers),
 * and from then on the dead worker's lease can complete nothing — and their
 * READY attempts handed to their local lanes, which may have started them
 * before claiming them. Both are decided as lost attempts.
 */
export async function takeOverLostAttempts(
  db: Queryable,
  takeover: { deadKeys: readonly number[]; leaseOwner: string; leaseMs: number; now: Date; limit: number },
): Promise<LostAttempt[]> {
  if (takeover.deadKeys.length === 0) return [];
  const result = await db.query<LostAttempt>(
    `WITH lost AS (
       SELECT n.tableoid AS part, n.ctid AS tid, n.lease_owner
         FROM node_runs n
        WHERE n.status = ${Status.RUNNING} AND n.lease_owner IS NOT NULL AND ${livenessKeySql('n.lease_owner')} = ANY($1::bigint[])
        LIMIT $5
        FOR UPDATE SKIP LOCKED
     ), taken AS (
       UPDATE node_runs n
          SET lease_owner = $2, lease_expires_at = $3::timestamptz + make_interval(secs => $4::double precision / 1000)
         FROM lost l
        WHERE n.ctid = l.tid AND n.tableoid = l.part -- a ctid is unique only within its partition
        RETURNING n.run_id, n.name, n.attempt, l.lease_owner AS lost_by
     )
     SELECT run_id AS "runId", name AS node, attempt, ${Status.RUNNING}::smallint AS status, lost_by AS "lostBy", $2 AS "leaseOwner" FROM taken
     UNION ALL
     (SELECT run_id, name, attempt, status, lease_owner, lease_owner
        FROM node_runs
       WHERE status = ${Status.READY} AND lease_owner IS NOT NULL AND ${livenessKeySql('lease_owner')} = ANY($1::bigint[])
       LIMIT $5)`,
    [takeover.deadKeys, takeover.leaseOwner, takeover.now, takeover.leaseMs, takeover.limit],
  );
  return result.rows;
}
