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

/**
 * Inserts a run (READY) and all its node rows in ONE statement (a data-modifying
 * CTE), so a start needs no explicit transaction and one round trip — on this
 * kind of machine a syscall-bound round trip is the unit of cost. Atomic on its
 * own, or part of the caller's transaction when `db` is a client inside one.
 *
 * With an idempotency key already used in the org, inserts nothing and returns
 * the existing run's id: `ON CONFLICT DO NOTHING` waits for a concurrent
 * inserter of the same key to commit, so 20 simultaneous identical starts make
 * one run. The node rows' insert reads the run CTE, so it inserts nothing then.
 */
export async function insertRun(db: Queryable, run: NewRunRow): Promise<{ readonly id: string; readonly seq: number; readonly created: boolean }> {
  const inserted = await db.query<{ id: string; seq: number }>(
    `WITH run AS (
       INSERT INTO workflow_runs
         (id, definition_id, definition_version, workflow_name, org_id, owner, biz_id, biz_type,
          trigger_type, status, input, idempotency_key, trigger_time, created_at, updated_at, trace_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13, $14)
       ON CONFLICT (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id, seq
     ), nodes AS (
       INSERT INTO node_runs (id, run_id, name, type, position, status, parameters, updated_at)
       SELECT n.id, run.id, n.name, n.type, n.position, n.status, n.parameters, $13
         FROM run, unnest($15::uuid[], $16::text[], $17::text[], $18::int[], $19::smallint[], $20::jsonb[])
           AS n(id, name, type, position, status, parameters)
     )
     SELECT id, seq FROM run`,
    [
      run.id,
      run.definitionId,
      run.definitionVersion,
      run.workflowName,
      run.orgId,
      run.owner,
      run.bizId,
      run.bizType,
      run.triggerType,
      Status.READY,
      JSON.stringify(run.input ?? {}),
      run.idempotencyKey ?? null,
      run.now,
      run.traceId,
      run.nodes.map((n) => n.id),
      run.nodes.map((n) => n.name),
      run.nodes.map((n) => n.type),
      run.nodes.map((n) => n.position),
      run.nodes.map((n) => n.status),
      run.nodes.map((n) => JSON.stringify(n.parameters)),
    ],
  );
  const row = inserted.rows[0];
  if (row) return { id: row.id, seq: row.seq, created: true };
  const existing = await db.query<{ id: string; seq: number }>(
    `SELECT id, seq FROM workflow_runs WHERE org_id = $1 AND idempotency_key = $2`,
    [run.orgId, run.idempotencyKey],
  );
  return { ...existing.rows[0]!, created: false };
}
