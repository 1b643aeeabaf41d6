import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';

export interface ClaimedNode {
  readonly nodeId: string;
  readonly runId: string;
  readonly name: string;
  readonly type: string;
  readonly attempt: number;
  readonly parameters: Record<string, unknown>;
  readonly definitionId: number;
  readonly definitionVersion: number;
  readonly workflowName: string;
  readonly orgId: string;
  readonly bizId: string;
  readonly input: unknown;
  readonly cancelRequested: boolean;
  readonly traceId: string | null;
}

/**
 * READY → RUNNING for one node attempt, taking a lease, and READY → RUNNING for
 * its run if this is the run's first node to start: one statement, one round
 * trip. No row back means another worker claimed it, or the node was cancelled,
 * suspended or retried meanwhile: the job is stale and is dropped.
 */
export async function claimNode(
  db: Queryable,
  claim: { runId: string; node: string; attempt: number; leaseOwner: string; leaseMs: number; now: Date },
): Promise<ClaimedNode | undefined> {
  const result = await db.query<ClaimedNode>(
    `WITH claimed AS (
       UPDATE node_runs
          SET status = ${Status.RUNNING}, started_at = $4::timestamptz, ended_at = NULL, lease_owner = $5,
              lease_expires_at = $4::timestamptz + make_interval(secs => $6::double precision / 1000), updated_at = $4
        WHERE run_id = $1 AND name = $2 AND attempt = $3 AND status = ${Status.READY}
        RETURNING id, run_id, name, type, attempt, parameters
     ), started AS (
       UPDATE workflow_runs
          SET status = ${Status.RUNNING}, start_time = COALESCE(start_time, $4), updated_at = $4
        WHERE id = $1 AND status = ${Status.READY} AND EXISTS (SELECT 1 FROM claimed)
     )
     SELECT c.id AS "nodeId", c.run_id AS "runId", c.name, c.type, c.attempt, c.parameters,
            r.definition_id AS "definitionId", r.definition_version AS "definitionVersion",
            r.workflow_name AS "workflowName", r.org_id AS "orgId", r.biz_id AS "bizId", r.input,
            r.cancel_requested AS "cancelRequested", r.trace_id AS "traceId"
       FROM claimed c JOIN workflow_runs r ON r.id = c.run_id`,
    [claim.runId, claim.node, claim.attempt, claim.now, claim.leaseOwner, claim.leaseMs],
  );
  return result.rows[0];
}

/** The outputs of the named nodes of a run, for passing parents' results to a child. */
export async function loadNodeOutputs(db: Queryable, runId: string, names: readonly string[]): Promise<Record<string, unknown>> {
  if (names.length === 0) return {};
  const result = await db.query<{ name: string; output: unknown }>(
    `SELECT name, output FROM node_runs WHERE run_id = $1 AND name = ANY($2::text[])`,
    [runId, names],
  );
  return Object.fromEntries(result.rows.map((r) => [r.name, r.output]));
}
