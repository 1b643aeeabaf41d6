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
  /** when the run was due; absent: `now` */
  readonly triggerTime?: Date;
  readonly input: unknown;
  readonly idempotencyKey: string | undefined;
  readonly traceId: string;
  /** see StartRunRequest.priority */
  readonly priority: number;
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
 * existing run's id: the key's row in run_idempotency_keys is inserted first,
 * and `ON CONFLICT DO NOTHING` there waits for a concurrent inserter of the
 * same key to commit, so 20 simultaneous identical starts make one run. (The
 * key cannot be unique on workflow_runs itself: a unique index of a
 * partitioned table must contain the run id.)
 * Node rows join the runs actually inserted, so a skipped run inserts none.
 */
export async function insertRuns(db: Queryable, runs: readonly NewRunRow[]): Promise<InsertedRun[]> {
  const inserted = await db.query<{ id: string; seq: number }>({
    name: 'insert-runs',
    // The batch goes as one JSON document, keyed as NewRunRow is: JSON.stringify is native and
    // leaves one string, where a parameter array per column left ~5 KB of garbage per run
    // (20,000 starts: 90 MB through pg's array serializer, most of S5's peak).
    text: `WITH input AS MATERIALIZED (
       SELECT * FROM json_to_recordset($1::json) AS r(
         id uuid, "definitionId" bigint, "definitionVersion" int, "workflowName" text, "orgId" text, owner text,
         "bizId" text, "bizType" text, "triggerType" smallint, "triggerTime" timestamptz, input jsonb, "idempotencyKey" text, now timestamptz,
         "traceId" text, priority smallint, nodes json)
     ), idempotency AS (
       INSERT INTO run_idempotency_keys (org_id, idempotency_key, run_id)
       SELECT r."orgId", r."idempotencyKey", r.id FROM input r WHERE r."idempotencyKey" IS NOT NULL
       ON CONFLICT DO NOTHING
       RETURNING run_id
     ), run AS (
       INSERT INTO workflow_runs
         (id, definition_id, definition_version, workflow_name, org_id, owner, biz_id, biz_type,
          trigger_type, status, input, idempotency_key, trigger_time, created_at, updated_at, trace_id, priority)
       SELECT r.id, r."definitionId", r."definitionVersion", r."workflowName", r."orgId", r.owner, r."bizId", r."bizType",
              r."triggerType", ${Status.READY}, COALESCE(r.input, '{}'), r."idempotencyKey", COALESCE(r."triggerTime", r.now), r.now, r.now, r."traceId", r.priority
         FROM input r
        WHERE r."idempotencyKey" IS NULL OR r.id IN (SELECT run_id FROM idempotency)
       RETURNING id, seq
     ), nodes AS (
       INSERT INTO node_runs (id, run_id, name, type, position, status, parameters, updated_at)
       SELECT n.id, r.id, n.name, n.type, n.position, n.status, n.parameters, r.now
         FROM input r JOIN run ON run.id = r.id
        CROSS JOIN LATERAL json_to_recordset(r.nodes) AS n(id uuid, name text, type text, position int, status smallint, parameters jsonb)
     )
     SELECT id, seq FROM run`,
    values: [JSON.stringify(runs)],
  });
  const seqs = new Map(inserted.rows.map((row) => [row.id, row.seq]));
  const skipped = runs.filter((r) => !seqs.has(r.id));
  const existing = new Map<string, { id: string; seq: number }>();
  if (skipped.length > 0) {
    const found = await db.query<{ id: string; seq: number; orgId: string; key: string }>({
      name: 'find-runs-by-idempotency-key',
      text: `SELECT r.id, r.seq, k.org_id AS "orgId", k.idempotency_key AS key
         FROM run_idempotency_keys k
         JOIN unnest($1::text[], $2::text[]) AS asked(org_id, key) ON k.org_id = asked.org_id AND k.idempotency_key = asked.key
         JOIN workflow_runs r ON r.id = k.run_id`,
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
