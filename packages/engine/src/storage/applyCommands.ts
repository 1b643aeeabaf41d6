import type pg from 'pg';
import type { Command } from '../core/runState.ts';
import { Status, TERMINAL_STATUSES } from '../core/status.ts';

type SetNode = Extract<Command, { type: 'SET_NODE' }>;
type SetRun = Extract<Command, { type: 'SET_RUN' }>;

/** A conditional write matched fewer rows than the decision expected: the state it was made on is stale. */
export class StaleDecision extends Error {
  constructor(what: string) {
    super(`stale decision: ${what}`);
  }
}

const TERMINAL_SQL = `ARRAY[${TERMINAL_STATUSES.join(',')}]::smallint[]`;

/**
 * Applies the status commands of one decision inside the caller's transaction.
 * Every write is conditional on the status (and attempt) the decision saw; if
 * one matches nothing, StaleDecision is thrown and the caller retries the whole
 * decision on fresh state. Node writes without an outcome are batched per
 * (from, to) into one statement, so cancelling 10,000 pending nodes is one write.
 */
export async function applyCommands(client: pg.PoolClient, runId: string, commands: readonly Command[], now: Date): Promise<void> {
  const batches = new Map<string, SetNode[]>();
  for (const command of commands) {
    if (command.type === 'SET_NODE') {
      if (command.outcome) {
        await setNodeWithOutcome(client, runId, command, now);
      } else {
        const key = `${command.from}>${command.to}>${command.nextAttempt !== undefined}`;
        batches.set(key, [...(batches.get(key) ?? []), command]);
      }
    } else if (command.type === 'SET_RUN') {
      await setRun(client, runId, command, now);
    } else if (command.type === 'REQUEST_CANCEL') {
      await client.query(`UPDATE workflow_runs SET cancel_requested = true, updated_at = $2 WHERE id = $1`, [runId, now]);
    }
  }
  for (const batch of batches.values()) await setNodes(client, runId, batch, now);
}

async function setNodes(client: pg.PoolClient, runId: string, batch: readonly SetNode[], now: Date): Promise<void> {
  const { from, to } = batch[0]!;
  const newAttempt = batch[0]!.nextAttempt !== undefined;
  const result = await client.query(
    `UPDATE node_runs n
        SET status = $3::smallint, updated_at = $2::timestamptz,
            attempt = CASE WHEN $6::boolean THEN n.attempt + 1 ELSE n.attempt END,
            started_at = CASE WHEN $6 THEN NULL ELSE n.started_at END,
            ended_at = CASE WHEN $3::smallint = ANY(${TERMINAL_SQL}) THEN $2::timestamptz WHEN $6 THEN NULL ELSE n.ended_at END,
            result = CASE WHEN $6 THEN '' ELSE n.result END,
            output = CASE WHEN $6 THEN NULL ELSE n.output END,
            error = CASE WHEN $6 THEN NULL ELSE n.error END,
            lease_owner = NULL, lease_expires_at = NULL
       FROM unnest($5::text[], $7::int[]) AS x(name, attempt)
      WHERE n.run_id = $1 AND n.name = x.name AND n.attempt = x.attempt AND n.status = $4::smallint`,
    [runId, now, to, from, batch.map((c) => c.node), newAttempt, batch.map((c) => c.attempt)],
  );
  if (result.rowCount !== batch.length) throw new StaleDecision(`${batch.length - (result.rowCount ?? 0)} node(s) moved off ${from}`);
}

async function setNodeWithOutcome(client: pg.PoolClient, runId: string, command: SetNode, now: Date): Promise<void> {
  const { outcome } = command;
  const result = await client.query(
    `UPDATE node_runs
        SET status = $5::smallint, updated_at = $6::timestamptz,
            attempt = COALESCE($7::int, attempt),
            ended_at = CASE WHEN $5::smallint = ANY(${TERMINAL_SQL}) THEN $6::timestamptz ELSE NULL END,
            result = COALESCE($8::text, result), output = $9::jsonb, error = $10::text,
            lease_owner = NULL, lease_expires_at = NULL
      WHERE run_id = $1 AND name = $2 AND attempt = $3 AND status = $4::smallint
        AND ($11::text IS NULL OR lease_owner = $11)`,
    [
      runId,
      command.node,
      command.attempt,
      command.from,
      command.to,
      now,
      command.nextAttempt ?? null,
      outcome?.result ?? null,
      outcome?.output === undefined ? null : JSON.stringify(outcome.output),
      outcome?.error ?? null,
      command.leaseOwner ?? null,
    ],
  );
  if (result.rowCount !== 1) throw new StaleDecision(`node ${command.node} moved off ${command.from} or its lease was taken over`);
}

async function setRun(client: pg.PoolClient, runId: string, command: SetRun, now: Date): Promise<void> {
  const restarting = command.to === Status.READY || command.to === Status.RUNNING;
  const result = await client.query(
    `UPDATE workflow_runs
        SET status = $3::smallint, updated_at = $4::timestamptz,
            end_time = CASE WHEN $3::smallint = ANY(${TERMINAL_SQL}) THEN $4::timestamptz WHEN $5::boolean THEN NULL ELSE end_time END,
            start_time = CASE WHEN $3::smallint = ${Status.RUNNING} THEN COALESCE(start_time, $4::timestamptz) ELSE start_time END,
            cancel_requested = COALESCE($6::boolean, cancel_requested)
      WHERE id = $1 AND status = $2::smallint`,
    [runId, command.from, command.to, now, restarting, command.cancelRequested ?? null],
  );
  if (result.rowCount !== 1) throw new StaleDecision(`run moved off ${command.from}`);
}
