import type pg from 'pg';
import type { Command } from '../core/runState.ts';
import { Status, TERMINAL_STATUSES } from '../core/status.ts';

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
}

const TERMINAL_SQL = `ARRAY[${TERMINAL_STATUSES.join(',')}]::smallint[]`;

/**
 * Applies the status commands of the decisions of one transaction — one run's
 * or a batch of runs' — in ONE statement: every node write and every run write
 * of the batch, each conditional on the status (attempt, lease) its decision
 * saw. If any matches nothing, StaleDecision is thrown and the caller retries
 * the decision on fresh state. Cancelling 10,000 pending nodes, or completing
 * 50 runs' nodes at once, is one round trip.
 *
 * A row is written once per statement, so a batch whose decisions write one
 * row twice is refused as stale, and its events are decided one by one.
 */
export async function applyCommands(client: pg.PoolClient, decisions: readonly RunDecision[], now: Date): Promise<void> {
  const nodes: (Extract<Command, { type: 'SET_NODE' }> & { runId: string })[] = [];
  // One write per run: a status change, a cancel request, or both (the row is written once per statement).
  const runs = new Map<string, { from: Status | null; to: Status | null; cancelRequested: boolean | null }>();
  const written = new Set<string>();
  const once = (key: string) => {
    if (written.has(key)) throw new StaleDecision(`${key} written twice in one batch`);
    written.add(key);
  };
  for (const { runId, commands } of decisions) {
    for (const command of commands) {
      if (command.type === 'SET_NODE') {
        once(`node ${command.node} of run ${runId}`);
        nodes.push({ ...command, runId });
      } else if (command.type === 'SET_RUN') {
        once(`run ${runId}`);
        const cancelRequested = runs.get(runId)?.cancelRequested ?? command.cancelRequested ?? null;
        runs.set(runId, { from: command.from, to: command.to, cancelRequested });
      } else if (command.type === 'REQUEST_CANCEL') {
        runs.set(runId, { from: null, to: null, ...runs.get(runId), cancelRequested: true });
      }
    }
  }
  if (nodes.length + runs.size === 0) return;
  const runWrites = [...runs];
  const result = await client.query<{ nodes: number; runs: number }>({
    name: 'apply-commands',
    text: `WITH node_writes AS (
       SELECT * FROM unnest($2::uuid[], $3::text[], $4::int[], $5::smallint[], $6::smallint[], $7::int[], $8::boolean[],
                            $9::text[], $10::jsonb[], $11::text[], $12::text[])
         AS x(run_id, name, attempt, from_status, to_status, next_attempt, has_outcome, result, output, error, lease_owner)
     ), node_targets AS MATERIALIZED (
       -- Each row is found through its key and written by its row address (see claimNodes): no
       -- cached plan, made on a young table's statistics, can scan the whole table per decision.
       SELECT t.tid, x.* FROM node_writes x
       CROSS JOIN LATERAL (SELECT ctid AS tid FROM node_runs WHERE run_id = x.run_id AND name = x.name OFFSET 0) AS t
     ), nodes AS (
       -- With an outcome, the attempt's report is stored; without one, a write that starts a new
       -- attempt (rerun) clears the last attempt's timings and outcome, and any other keeps them.
       UPDATE node_runs n
          SET status = x.to_status, updated_at = $1::timestamptz,
              attempt = COALESCE(x.next_attempt, n.attempt),
              started_at = CASE WHEN NOT x.has_outcome AND x.next_attempt IS NOT NULL THEN NULL ELSE n.started_at END,
              ended_at = CASE WHEN x.to_status = ANY(${TERMINAL_SQL}) THEN $1::timestamptz
                              WHEN x.has_outcome OR x.next_attempt IS NOT NULL THEN NULL ELSE n.ended_at END,
              result = CASE WHEN x.has_outcome THEN COALESCE(x.result, n.result) WHEN x.next_attempt IS NOT NULL THEN '' ELSE n.result END,
              output = CASE WHEN x.has_outcome THEN x.output WHEN x.next_attempt IS NOT NULL THEN NULL ELSE n.output END,
              error = CASE WHEN x.has_outcome THEN x.error WHEN x.next_attempt IS NOT NULL THEN NULL ELSE n.error END,
              lease_owner = NULL, lease_expires_at = NULL
         FROM node_targets x
        WHERE n.ctid = x.tid AND n.attempt = x.attempt AND n.status = x.from_status
          AND (x.lease_owner IS NULL OR n.lease_owner = x.lease_owner)
        RETURNING 1
     ), run_writes AS MATERIALIZED (
       SELECT t.tid, x.* FROM unnest($13::uuid[], $14::smallint[], $15::smallint[], $16::boolean[])
         AS x(run_id, from_status, to_status, cancel_requested)
       CROSS JOIN LATERAL (SELECT ctid AS tid FROM workflow_runs WHERE id = x.run_id OFFSET 0) AS t
     ), runs AS (
       -- no to_status: a cancel request alone, whatever the run's status
       UPDATE workflow_runs r
          SET status = COALESCE(x.to_status, r.status), updated_at = $1::timestamptz,
              end_time = CASE WHEN x.to_status = ANY(${TERMINAL_SQL}) THEN $1::timestamptz
                              WHEN x.to_status IN (${Status.READY}, ${Status.RUNNING}) THEN NULL ELSE r.end_time END,
              start_time = CASE WHEN x.to_status = ${Status.RUNNING} THEN COALESCE(r.start_time, $1::timestamptz) ELSE r.start_time END,
              cancel_requested = COALESCE(x.cancel_requested, r.cancel_requested)
         FROM run_writes x
        WHERE r.ctid = x.tid AND r.id = x.run_id AND (x.from_status IS NULL OR r.status = x.from_status)
        RETURNING 1
     )
     SELECT (SELECT count(*)::int FROM nodes) AS nodes, (SELECT count(*)::int FROM runs) AS runs`,
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
    ],
  });
  const { nodes: nodesWritten, runs: runsWritten } = result.rows[0]!;
  if (nodesWritten !== nodes.length) throw new StaleDecision(`${nodes.length - nodesWritten} node(s) moved off the status decided on, or their lease was taken over`);
  if (runsWritten !== runs.size) throw new StaleDecision(`${runs.size - runsWritten} run(s) moved off the status decided on`);
}
