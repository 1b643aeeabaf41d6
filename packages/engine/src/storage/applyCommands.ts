import type { Command } from '../core/runState.ts';
import { Status, TERMINAL_STATUSES } from '../core/status.ts';
import { attemptKey, type ClaimedNode, type ClaimRequest } from './claimNodes.ts';
import type { Queryable } from './database.ts';
import { SqlState, sqlState } from './sqlState.ts';

/** A conditional write matched fewer rows than the decision expected: the state it was made on is stale. */
export class StaleDecision extends Error {
  constructor(what: string) {
    super(`stale decision: ${what}`);
  }
}

/** The commands one transaction decided for one run. */
export interface RunDecision {
  readonly runId: string;
  readonly commands: readonly Command[];
  /** the run's decisionSeq the decision was made on; the write commits only if it still holds */
  readonly decisionSeq?: number;
}

/**
 * Nodes a decision releases (WAIT → READY) that a worker of the deciding
 * process takes in the same write: they go straight to RUNNING under its
 * lease, which saves the claim's round trip and commit. `parents` names the
 * parents whose outputs come back with the claim (those not written by the
 * same statement, whose outputs the caller has).
 */
export interface ReleaseClaims {
  readonly leaseOwner: string;
  readonly leaseMs: number;
  readonly attempts: readonly ClaimRequest[];
}

const TERMINAL_SQL = `ARRAY[${TERMINAL_STATUSES.join(',')}]::smallint[]`;

/**
 * Applies the status commands of decisions — one run's or a batch of runs' —
 * in ONE statement: every node write and every run write of the batch, each
 * conditional on the status (attempt, lease) its decision saw, and on the
 * run's decisionSeq, which the statement bumps: a decision made on state read
 * without the run's lock commits only if no other decision came between. If
 * any write matches nothing, the statement raises (flowline_stale_decision),
 * which undoes all of it — atomic outside a transaction too — and
 * StaleDecision is thrown: the caller decides again on fresh state.
 * Cancelling 10,000 pending nodes, or completing 50 runs' nodes at once, is
 * one round trip.
 *
 * A row is written once per statement, so a batch whose decisions write one
 * row twice is refused as stale, and its events are decided one by one.
 *
 * Answers the nodes claimed as they were released (see ReleaseClaims).
 */
export async function applyCommands(
  db: Queryable,
  decisions: readonly RunDecision[],
  now: Date,
  claims: ReleaseClaims = { leaseOwner: '', leaseMs: 0, attempts: [] },
): Promise<ClaimedNode[]> {
  const nodes: (Extract<Command, { type: 'SET_NODE' }> & { runId: string })[] = [];
  // One write per run the decisions write anything of: its decisionSeq, and a status change, a
  // cancel request, or both (the row is written once per statement).
  const runs = new Map<string, { from: Status | null; to: Status | null; cancelRequested: boolean | null; seenSeq: number | null }>();
  const written = new Set<string>();
  const once = (key: string) => {
    if (written.has(key)) throw new StaleDecision(`${key} written twice in one batch`);
    written.add(key);
  };
  for (const { runId, commands, decisionSeq } of decisions) {
    const write = () => runs.get(runId) ?? { from: null, to: null, cancelRequested: null, seenSeq: decisionSeq ?? null };
    for (const command of commands) {
      if (command.type === 'SET_NODE') {
        once(`node ${command.node} of run ${runId}`);
        nodes.push({ ...command, runId });
        runs.set(runId, write());
      } else if (command.type === 'SET_RUN') {
        once(`run ${runId}`);
        const before = write();
        runs.set(runId, { ...before, from: command.from, to: command.to, cancelRequested: before.cancelRequested ?? command.cancelRequested ?? null });
      } else if (command.type === 'REQUEST_CANCEL') {
        runs.set(runId, { ...write(), cancelRequested: true });
      }
    }
  }
  if (nodes.length + runs.size === 0) return [];
  const runWrites = [...runs];
  const claimed = new Set(claims.attempts.map(attemptKey));
  const result = await db.query<{ claimed: ClaimedNode[] | null }>({
    name: 'apply-commands',
    text: `WITH node_writes AS (
       SELECT * FROM unnest($2::uuid[], $3::text[], $4::int[], $5::smallint[], $6::smallint[], $7::int[], $8::boolean[],
                            $9::text[], $10::jsonb[], $11::text[], $12::text[], $20::boolean[])
         AS x(run_id, name, attempt, from_status, to_status, next_attempt, has_outcome, result, output, error, lease_owner, claim)
     ), node_targets AS MATERIALIZED (
       -- Each row is found through its key and written by its row address (see claimNodes): no
       -- cached plan, made on a young table's statistics, can scan the whole table per decision.
       SELECT t.tid, x.* FROM node_writes x
       CROSS JOIN LATERAL (SELECT ctid AS tid FROM node_runs WHERE run_id = x.run_id AND name = x.name OFFSET 0) AS t
     ), nodes AS (
       -- With an outcome, the attempt's report is stored; without one, a write that starts a new
       -- attempt (rerun) clears the last attempt's timings and outcome, and any other keeps them.
       -- A node claimed as it is released starts RUNNING under the claiming worker's lease.
       UPDATE node_runs n
          SET status = CASE WHEN x.claim THEN ${Status.RUNNING} ELSE x.to_status END, updated_at = $1::timestamptz,
              attempt = COALESCE(x.next_attempt, n.attempt),
              started_at = CASE WHEN x.claim THEN $1::timestamptz
                                WHEN NOT x.has_outcome AND x.next_attempt IS NOT NULL THEN NULL ELSE n.started_at END,
              ended_at = CASE WHEN x.to_status = ANY(${TERMINAL_SQL}) THEN $1::timestamptz
                              WHEN x.has_outcome OR x.next_attempt IS NOT NULL THEN NULL ELSE n.ended_at END,
              result = CASE WHEN x.has_outcome THEN COALESCE(x.result, n.result) WHEN x.next_attempt IS NOT NULL THEN '' ELSE n.result END,
              output = CASE WHEN x.has_outcome THEN x.output WHEN x.next_attempt IS NOT NULL THEN NULL ELSE n.output END,
              error = CASE WHEN x.has_outcome THEN x.error WHEN x.next_attempt IS NOT NULL THEN NULL ELSE n.error END,
              lease_owner = CASE WHEN x.claim THEN $21 END,
              lease_expires_at = CASE WHEN x.claim THEN $1::timestamptz + make_interval(secs => $22::double precision / 1000) END
         FROM node_targets x
        WHERE n.ctid = x.tid AND n.attempt = x.attempt AND n.status = x.from_status
          AND (x.lease_owner IS NULL OR n.lease_owner = x.lease_owner)
        RETURNING n.id, n.run_id, n.name, n.type, n.attempt, n.parameters, x.claim
     ), run_writes AS MATERIALIZED (
       SELECT t.tid, x.* FROM unnest($13::uuid[], $14::smallint[], $15::smallint[], $16::boolean[], $17::int[])
         AS x(run_id, from_status, to_status, cancel_requested, seen_seq)
       CROSS JOIN LATERAL (SELECT ctid AS tid FROM workflow_runs WHERE id = x.run_id OFFSET 0) AS t
     ), runs AS (
       -- no to_status: a cancel request alone, or node writes alone, whatever the run's status.
       -- updated_at moves only with the run's own status or cancel request (the cancel grace runs from it).
       UPDATE workflow_runs r
          SET status = COALESCE(x.to_status, r.status), decision_seq = r.decision_seq + 1,
              updated_at = CASE WHEN x.to_status IS NULL AND x.cancel_requested IS NULL THEN r.updated_at ELSE $1::timestamptz END,
              end_time = CASE WHEN x.to_status = ANY(${TERMINAL_SQL}) THEN $1::timestamptz
                              WHEN x.to_status IN (${Status.READY}, ${Status.RUNNING}) THEN NULL ELSE r.end_time END,
              start_time = CASE WHEN x.to_status = ${Status.RUNNING} THEN COALESCE(r.start_time, $1::timestamptz) ELSE r.start_time END,
              cancel_requested = COALESCE(x.cancel_requested, r.cancel_requested)
         FROM run_writes x
        WHERE r.ctid = x.tid AND r.id = x.run_id AND (x.from_status IS NULL OR r.status = x.from_status)
          AND (x.seen_seq IS NULL OR r.decision_seq = x.seen_seq)
        RETURNING 1
     ), written AS (
       SELECT (SELECT count(*)::int FROM nodes) AS nodes, (SELECT count(*)::int FROM runs) AS runs
     )
     SELECT CASE WHEN nodes <> $18::int OR runs <> $19::int THEN
              flowline_stale_decision(format('%s of %s node write(s) and %s of %s run write(s) matched', nodes, $18::int, runs, $19::int)) END AS stale,
            (SELECT jsonb_agg(jsonb_build_object(
                'nodeId', c.id, 'runId', c.run_id, 'name', c.name, 'type', c.type, 'attempt', c.attempt, 'parameters', c.parameters,
                'definitionId', r.definition_id, 'definitionVersion', r.definition_version, 'workflowName', r.workflow_name,
                'orgId', r.org_id, 'bizId', r.biz_id, 'input', r.input, 'cancelRequested', r.cancel_requested, 'traceId', r.trace_id,
                'parentOutputs', (SELECT COALESCE(jsonb_object_agg(p.name, p.output), '{}')
                                    FROM unnest($23::uuid[], $24::text[], $25::text[]) AS q(run_id, child, parent)
                                    CROSS JOIN LATERAL (SELECT name, output FROM node_runs WHERE run_id = q.run_id AND name = q.parent OFFSET 0) AS p
                                   WHERE q.run_id = c.run_id AND q.child = c.name)))
               FROM nodes c JOIN workflow_runs r ON r.id = c.run_id WHERE c.claim) AS claimed
       FROM written`,
    values: [
      now,
      nodes.map((c) => c.runId),
      nodes.map((c) => c.node),
      nodes.map((c) => c.attempt),
      nodes.map((c) => c.from),
      nodes.map((c) => c.to),
      nodes.map((c) => c.nextAttempt ?? null),
      nodes.map((c) => c.outcome !== undefined),
      nodes.map((c) => c.outcome?.result ?? null),
      nodes.map((c) => (c.outcome?.output === undefined ? null : JSON.stringify(c.outcome.output))),
      nodes.map((c) => c.outcome?.error ?? null),
      nodes.map((c) => c.leaseOwner ?? null),
      runWrites.map(([runId]) => runId),
      runWrites.map(([, w]) => w.from),
      runWrites.map(([, w]) => w.to),
      runWrites.map(([, w]) => w.cancelRequested),
      runWrites.map(([, w]) => w.seenSeq),
      nodes.length,
      runs.size,
      nodes.map((c) => claimed.has(attemptKey({ runId: c.runId, node: c.node, attempt: c.attempt }))),
      claims.leaseOwner,
      claims.leaseMs,
      claims.attempts.flatMap((a) => (a.parents ?? []).map(() => a.runId)),
      claims.attempts.flatMap((a) => (a.parents ?? []).map(() => a.node)),
      claims.attempts.flatMap((a) => a.parents ?? []),
    ],
  }).catch((error: unknown) => {
    // Nodes moved off the status decided on, their lease was taken over, or another decision about the run came first.
    throw sqlState(error) === SqlState.STALE_DECISION ? new StaleDecision((error as Error).message) : error;
  });
  return result.rows[0]!.claimed ?? [];
}
