import type pg from 'pg';
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
 * Inserts a run (READY) and all its node rows in the caller's transaction. With
 * an idempotency key already used in the org, inserts nothing and returns the
 * existing run's id: `ON CONFLICT DO NOTHING` waits for a concurrent inserter of
 * the same key to commit, so 20 simultaneous identical starts make one run.
 */
export async function insertRun(
  client: pg.PoolClient,
  run: NewRunRow,
): Promise<{ readonly id: string; readonly seq: number; readonly created: boolean }> {
  const inserted = await insertRunRow(client, run);
  const row = inserted.rows[0];
  if (!row) {
    const existing = await client.query<{ id: string; seq: number }>(
      `SELECT id, seq FROM workflow_runs WHERE org_id = $1 AND idempotency_key = $2`,
      [run.orgId, run.idempotencyKey],
    );
    return { ...existing.rows[0]!, created: false };
  }
  // One statement for all nodes, however many: arrays unnested server-side.
  await client.query(
    `INSERT INTO node_runs (id, run_id, name, type, position, status, parameters, updated_at)
     SELECT n.id, $1, n.name, n.type, n.position, n.status, n.parameters, $2
       FROM unnest($3::uuid[], $4::text[], $5::text[], $6::int[], $7::smallint[], $8::jsonb[])
         AS n(id, name, type, position, status, parameters)`,
    [
      run.id,
      run.now,
      run.nodes.map((n) => n.id),
      run.nodes.map((n) => n.name),
      run.nodes.map((n) => n.type),
      run.nodes.map((n) => n.position),
      run.nodes.map((n) => n.status),
      run.nodes.map((n) => JSON.stringify(n.parameters)),
    ],
  );
  return { id: row.id, seq: row.seq, created: true };
}

/** The run row; its EnOS instance stamp is assigned later, off the hot path (assignInstanceStamps.ts). */
function insertRunRow(client: pg.PoolClient, run: NewRunRow): Promise<pg.QueryResult<{ id: string; seq: number }>> {
  return client.query<{ id: string; seq: number }>(
    `INSERT INTO workflow_runs
       (id, definition_id, definition_version, workflow_name, org_id, owner, biz_id, biz_type,
        trigger_type, status, input, idempotency_key, trigger_time, created_at, updated_at, trace_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13, $14)
     ON CONFLICT (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING id, seq`,
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
    ],
  );
}
