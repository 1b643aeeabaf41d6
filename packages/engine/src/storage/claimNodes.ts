import { CLAIMABLE_STATUS } from '../core/claim.ts';
import { Status } from '../core/status.ts';
import { claimAssignments } from './claimSql.ts';
import type { Queryable } from './database.ts';
import { carriesOutput } from './loadNodeOutputs.ts';
import type { NodeAttempt } from './nodeAttempt.ts';
import type { LockedRunRow } from './lockRun.ts';

/** What a claim answers of an attempt: its row's facts (id, type, parameters), its run's (definition, input, cancel request, trace), and its parents' outputs when asked for. */
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
  /** the outputs of the parents named in the claim, by name (a null output is left out); null when none were named */
  readonly parentOutputs: Record<string, unknown> | null;
  /** a map element's item (core/mapSpec.ts); null for every other node (whose claims are answered with none) */
  readonly item: unknown;
}

/** What a worker's claim answers besides the facts: the rest of its run's row as the claim found it (a run the claim started: READY, started at the claim). */
export interface TakenNode extends ClaimedNode {
  readonly runStatus: Status;
  readonly decisionSeq: number;
  readonly runStartTime: Date;
  readonly priority: number;
}

/** The run's row a claim found, as a decision reads it (lockRun's columns). */
export function takenRunRow(node: TakenNode): LockedRunRow {
  return {
    id: node.runId,
    status: node.runStatus,
    cancelRequested: node.cancelRequested,
    definitionId: node.definitionId,
    definitionVersion: node.definitionVersion,
    orgId: node.orgId,
    workflow: node.workflowName,
    traceId: node.traceId,
    startTime: node.runStartTime,
    decisionSeq: node.decisionSeq,
    priority: node.priority,
  };
}

/** An attempt to claim; with `parents`, their outputs come back with the claim (one round trip for both). */
export interface ClaimRequest extends NodeAttempt {
  readonly parents?: readonly string[];
}

/** The key a claimed attempt is answered under. */
export function attemptKey(attempt: NodeAttempt): string {
  return `${attempt.runId}.${attempt.node}.${attempt.attempt}`;
}

/**
 * Claims node attempts (core/claim.ts, ClaimWay.TAKEN): READY → RUNNING on
 * the attempt, taking a lease on each, and READY → RUNNING for each run whose
 * first node this is: one statement for a whole
 * batch of a worker's jobs, one round trip, which also brings back the outputs
 * of the parents each request names. An attempt missing from the answer
 * was claimed by another worker, or cancelled, suspended or retried meanwhile:
 * its job is stale and is dropped. Answered by attemptKey.
 */
export async function claimNodes(
  db: Queryable,
  claim: { attempts: readonly ClaimRequest[]; leaseOwner: string; leaseMs: number; now: Date },
): Promise<Map<string, TakenNode>> {
  const result = await db.query<TakenNode>({
    name: 'claim-nodes',
    // The attempts are found through the (run_id, name) key, one index probe each, and updated by
    // their row address, partition and ctid (a concurrent update moves the row; the update follows it and rechecks
    // READY, so a concurrent claim still makes this one lose). Written so, no cached plan can walk
    // every READY node instead: plans made on a young table's statistics went through the
    // live-lease partial index (1,000 READY rows in a wide fan-out) or the whole table and matched
    // each row against the batch, 10-20 ms a claim. status::int keeps that index out of the plan.
    text: `WITH wanted AS MATERIALIZED (
       SELECT n.part, n.tid, a.i, a.named FROM unnest($1::uuid[], $2::text[], $3::int[], $9::boolean[]) WITH ORDINALITY AS a(run_id, name, attempt, named, i)
       CROSS JOIN LATERAL (SELECT tableoid AS part, ctid AS tid, attempt, status FROM node_runs WHERE run_id = a.run_id AND name = a.name OFFSET 0) AS n
        WHERE n.attempt = a.attempt AND n.status = ${CLAIMABLE_STATUS}
     ), claimed AS (
       UPDATE node_runs n
          SET ${claimAssignments('$4::timestamptz', '$5::text', '$6::double precision')}
         FROM wanted w
        WHERE n.ctid = ANY(ARRAY(SELECT tid FROM wanted)) AND n.ctid = w.tid AND n.tableoid = w.part AND n.status::int = ${CLAIMABLE_STATUS}
        RETURNING n.id, n.run_id, n.name, n.type, n.attempt, n.parameters, n.item, w.i, w.named
     )
     SELECT c.id AS "nodeId", c.run_id AS "runId", c.name, c.type, c.attempt, c.parameters, c.item,
            r.definition_id AS "definitionId", r.definition_version AS "definitionVersion",
            r.workflow_name AS "workflowName", r.org_id AS "orgId", r.biz_id AS "bizId", r.input,
            r.cancel_requested AS "cancelRequested", r.trace_id AS "traceId", r.status AS "runStatus", r.decision_seq AS "decisionSeq",
            COALESCE(r.start_time, $4) AS "runStartTime", r.priority,
            CASE WHEN c.named THEN COALESCE(
              (SELECT jsonb_object_agg(p.name, p.output)
                 FROM unnest($7::int[], $8::text[]) AS q(i, name)
                 CROSS JOIN LATERAL (SELECT name, output FROM node_runs WHERE run_id = c.run_id AND name = q.name OFFSET 0) AS p
                WHERE q.i = c.i AND ${carriesOutput('p')}),
              '{}') END AS "parentOutputs"
       FROM claimed c JOIN workflow_runs r ON r.id = c.run_id`,
    values: [
      claim.attempts.map((a) => a.runId),
      claim.attempts.map((a) => a.node),
      claim.attempts.map((a) => a.attempt),
      claim.now,
      claim.leaseOwner,
      claim.leaseMs,
      // (1-based attempt index, parent name) pairs
      claim.attempts.flatMap((a, i) => (a.parents ?? []).map(() => i + 1)),
      claim.attempts.flatMap((a) => a.parents ?? []),
      claim.attempts.map((a) => a.parents !== undefined),
    ],
  });
  return new Map(result.rows.map((row) => [attemptKey({ runId: row.runId, node: row.name, attempt: row.attempt }), row]));
}
