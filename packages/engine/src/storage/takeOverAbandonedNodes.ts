import { PARKED_NODE_TYPES } from '../core/parkedNode.ts';
import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';
import type { NodeAttempt } from './nodeAttempt.ts';

/** Why the reconciler took a RUNNING node away from its worker. */
export const AbandonReason = {
  /** the run was asked to cancel and the worker did not acknowledge within the grace */
  CANCEL: 'CANCEL',
  /** the node ran past its timeout plus the grace: its worker died or its handler hangs */
  TIMEOUT: 'TIMEOUT',
  /** the worker stopped renewing the lease: it died, hangs, or lost Postgres */
  LEASE_EXPIRED: 'LEASE_EXPIRED',
} as const;
export type AbandonReason = (typeof AbandonReason)[keyof typeof AbandonReason];

export interface AbandonedNode extends NodeAttempt {
  readonly reason: AbandonReason;
  readonly timeoutMs: number | null;
  /** the worker that held the lease before the takeover */
  readonly previousOwner: string | null;
}

/**
 * Takes over the leases of RUNNING nodes their workers have abandoned, in one
 * statement: whoever's UPDATE takes a row owns deciding its fate, so the
 * reconciler is safe on every replica (SKIP LOCKED spreads rows between
 * replicas rather than making them queue). From then on the old worker can
 * neither renew the lease nor complete the node. The new lease is the
 * reconciler's own: if it dies before deciding, the row lapses again.
 *
 * A node's timeout lives in the pinned definition version's spec, so it is
 * read from there rather than copied onto every node row (a map element's
 * under its map's name, `<map>[<index>]` less its index: core/mapElements.ts). The cancel grace is
 * measured from the run's updated_at, which the cancel request sets and node
 * writes leave alone.
 */
export async function takeOverAbandonedNodes(
  db: Queryable,
  takeover: { leaseOwner: string; leaseMs: number; graceMs: number; now: Date; limit: number },
): Promise<AbandonedNode[]> {
  const result = await db.query<AbandonedNode>(
    `WITH abandoned AS (
       SELECT n.id, n.lease_owner AS previous_owner, why.reason, limits.timeout_ms
         FROM node_runs n
         JOIN workflow_runs r ON r.id = n.run_id
         JOIN definition_versions v ON v.definition_id = r.definition_id AND v.version = r.definition_version
         CROSS JOIN LATERAL (
           SELECT (jsonb_path_query_first(v.spec, '$.nodes[*] ? (@.name == $name).timeoutMs', jsonb_build_object('name', regexp_replace(n.name, '\\[[0-9]+\\]$', ''))))::text::int
             AS timeout_ms
         ) limits
         CROSS JOIN LATERAL (
           SELECT CASE
             WHEN r.cancel_requested AND r.updated_at < $1::timestamptz - make_interval(secs => $4::double precision / 1000) THEN '${AbandonReason.CANCEL}'
             WHEN n.started_at + make_interval(secs => (limits.timeout_ms + $4::double precision) / 1000) < $1::timestamptz THEN '${AbandonReason.TIMEOUT}'
             WHEN n.lease_expires_at < $1::timestamptz THEN '${AbandonReason.LEASE_EXPIRED}'
           END AS reason
         ) why
        -- A map's own row is RUNNING with no lease while its elements run: it has no attempt to take over.
        -- A node waiting without a worker (a parked type, or a handler's wait for its child run) has one,
        -- whose timeout and cancel are the reconciler's as any RUNNING node's (core/parkedNode.ts).
        WHERE n.status = ${Status.RUNNING} AND why.reason IS NOT NULL
          AND (n.lease_owner IS NOT NULL OR n.type = ANY($6::text[])
               OR EXISTS (SELECT 1 FROM child_runs c WHERE c.parent_run_id = n.run_id AND c.parent_node = n.name AND c.parent_attempt = n.attempt))
        ORDER BY n.lease_expires_at
        LIMIT $5
        FOR UPDATE OF n SKIP LOCKED
     )
     UPDATE node_runs n
        SET lease_owner = $2, lease_expires_at = $1::timestamptz + make_interval(secs => $3::double precision / 1000)
       FROM abandoned a
      WHERE n.id = a.id
      RETURNING n.run_id AS "runId", n.name AS node, n.attempt, a.reason, a.timeout_ms AS "timeoutMs", a.previous_owner AS "previousOwner"`,
    [takeover.now, takeover.leaseOwner, takeover.leaseMs, takeover.graceMs, takeover.limit, PARKED_NODE_TYPES],
  );
  return result.rows;
}
