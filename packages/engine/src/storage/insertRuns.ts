import type { Queryable } from './database.ts';
import { Status } from '../core/status.ts';

export interface NewNodeRow {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly position: number;
  readonly status: Status;
  readonly parameters: Record<string, unknown>;
}

export interface NewRunRow {
  readonly id: string;
  readonly definitionId: number;
  readonly definitionVersion: number;
  readonly workflowName: string;
  readonly orgId: string;
  readonly owner: string;
  readonly bizId: string;
  readonly bizType: string;
  readonly triggerType: number;
  readonly input: unknown;
  readonly idempotencyKey: string | undefined;
  readonly traceId: string;
  readonly now: Date;
  readonly nodes: readonly NewNodeRow[];
}

/** What a start wrote: the run's id and sequence, or the existing run its idempotency key named. */
export interface InsertedRun {
  readonly id: string;
  readonly seq: number;
  readonly created: boolean;
}

/**
 * Inserts runs (READY) and all their node rows in ONE statement (a
 * data-modifying CTE), so a batch of starts needs no explicit transaction and
 * one round trip — on this kind of machine a syscall-bound round trip is the
 * unit of cost. Atomic on its own, or part of the caller's transaction when
 * `db` is a client inside one. One answer per run, in order.
 *
 * A run whose idempotency key is already used in its org (by an earlier run,
 * or an earlier row of the same batch) inserts nothing and answers the
 * existing run's id: `ON CONFLICT DO NOTHING` waits for a concurrent inserter
 * of the same key to commit, so 20 simultaneous identical starts make one run.
 * Node rows join the runs actually inserted, so a skipped run inserts none.
 */
export async function insertRuns(db: Queryable, runs: readonly NewRunRow[]): Promise<InsertedRun[]> {
  const nodes = runs.flatMap((run) => run.nodes.map((node) => ({ ...node, runId: run.id, now: run.now })));
  const inserted = await db.query<{ id: string; seq: number }>({
    name: 'insert-runs',
    text: `WITH run AS (
       INSERT INTO workflow_runs
         (id, definition_id, definition_version, workflow_name, org_id, owner, biz_id, biz_type,
          trigger_type, status, input, idempotency_key, trigger_time, created_at, updated_at, trace_id)
       SELECT r.id, r.definition_id, r.definition_version, r.workflow_name, r.org_id, r.owner, r.biz_id, r.biz_type,
              r.trigger_type, ${Status.READY}, r.input, r.idempotency_key, r.now, r.now, r.now, r.trace_id
         FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::smallint[], $10::jsonb[], $11::text[], $12::timestamptz[], $13::text[])
           AS r(id, definition_id, definition_version, workflow_name, org_id, owner, biz_id, biz_type,
                trigger_type, input, idempotency_key, now, trace_id)
       ON CONFLICT (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id, seq
     ), nodes AS (
       INSERT INTO node_runs (id, run_id, name, type, position, status, parameters, updated_at)
       SELECT n.id, n.run_id, n.name, n.type, n.position, n.status, n.parameters, n.now
         FROM unnest($14::uuid[], $15::uuid[], $16::text[], $17::text[], $18::int[], $19::smallint[], $20::jsonb[], $21::timestamptz[])
           AS n(id, run_id, name, type, position, status, parameters, now)
         JOIN run ON run.id = n.run_id
     )
     SELECT id, seq FROM run`,
    values: [
      runs.map((r) => r.id),
      runs.map((r) => r.definitionId),
      runs.map((r) => r.definitionVersion),
      runs.map((r) => r.workflowName),
      runs.map((r) => r.orgId),
      runs.map((r) => r.owner),
      runs.map((r) => r.bizId),
      runs.map((r) => r.bizType),
      runs.map((r) => r.triggerType),
      runs.map((r) => JSON.stringify(r.input ?? {})),
      runs.map((r) => r.idempotencyKey ?? null),
      runs.map((r) => r.now),
      runs.map((r) => r.traceId),
      nodes.map((n) => n.id),
      nodes.map((n) => n.runId),
      nodes.map((n) => n.name),
      nodes.map((n) => n.type),
      nodes.map((n) => n.position),
      nodes.map((n) => n.status),
      nodes.map((n) => JSON.stringify(n.parameters)),
      nodes.map((n) => n.now),
    ],
  });
  const seqs = new Map(inserted.rows.map((row) => [row.id, row.seq]));
  const skipped = runs.filter((r) => !seqs.has(r.id));
  const existing = new Map<string, { id: string; seq: number }>();
  if (skipped.length > 0) {
    const found = await db.query<{ id: string; seq: number; orgId: string; key: string }>({
      name: 'find-runs-by-idempotency-key',
      text: `SELECT r.id, r.seq, r.org_id AS "orgId", r.idempotency_key AS key
         FROM workflow_runs r JOIN unnest($1::text[], $2::text[]) AS k(org_id, key) ON r.org_id = k.org_id AND r.idempotency_key = k.key`,
      values: [skipped.map((r) => r.orgId), skipped.map((r) => r.idempotencyKey)],
    });
    for (const row of found.rows) existing.set(`${row.orgId}\0${row.key}`, row);
  }
  return runs.map((run) => {
    const seq = seqs.get(run.id);
    if (seq !== undefined) return { id: run.id, seq, created: true };
    return { ...existing.get(`${run.orgId}\0${run.idempotencyKey}`)!, created: false };
  });
}
