import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';
import type { NodeAttempt } from './nodeAttempt.ts';

/** A lease a heartbeat renewed, with whether its run asks to cancel. */
export interface RenewedLease extends NodeAttempt {
  /** the run was asked to cancel: the worker aborts the handler even if the pub/sub abort was lost */
  readonly cancelRequested: boolean;
}

/**
 * Extends the leases a worker holds on the node attempts it is running: one
 * statement per worker per heartbeat, however many nodes it runs. Only the
 * attempts the worker names are renewed, so a row it no longer runs (a report
 * that failed to commit) lapses and the reconciler picks it up. An attempt
 * missing from the result was taken over: the worker stops running it.
 */
export async function renewLeases(
  db: Queryable,
  renewal: { leaseOwner: string; leaseMs: number; now: Date; attempts: readonly NodeAttempt[] },
): Promise<RenewedLease[]> {
  if (renewal.attempts.length === 0) return [];
  const result = await db.query<RenewedLease>(
    `UPDATE node_runs n
        SET lease_expires_at = $2::timestamptz + make_interval(secs => $3::double precision / 1000)
       FROM unnest($4::uuid[], $5::text[], $6::int[]) AS x(run_id, name, attempt), workflow_runs r
      WHERE n.run_id = x.run_id AND n.name = x.name AND n.attempt = x.attempt
        AND n.status = ${Status.RUNNING} AND n.lease_owner = $1 AND r.id = n.run_id
      RETURNING n.run_id AS "runId", n.name AS node, n.attempt, r.cancel_requested AS "cancelRequested"`,
    [
      renewal.leaseOwner,
      renewal.now,
      renewal.leaseMs,
      renewal.attempts.map((a) => a.runId),
      renewal.attempts.map((a) => a.node),
      renewal.attempts.map((a) => a.attempt),
    ],
  );
  return result.rows;
}
