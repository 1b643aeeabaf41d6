import type pg from 'pg';
import type { Status } from '../core/status.ts';

export interface LockedRun {
  readonly id: string;
  readonly status: Status;
  readonly cancelRequested: boolean;
  readonly definitionId: number;
  readonly definitionVersion: number;
  readonly orgId: string;
  /** what labels the run's end, should this decision end it: metrics, logs, its root span */
  readonly workflow: string;
  readonly traceId: string | null;
  readonly startTime: Date;
  readonly nodes: readonly { readonly name: string; readonly status: Status; readonly attempt: number; readonly leaseOwner: string | null }[];
}

export type LockedRunRow = Omit<LockedRun, 'nodes'>;
export type NodeStateRow = LockedRun['nodes'][number];

/**
 * Locks a run's row for the rest of the transaction and reads what the core
 * decides on. The lock serialises decisions within one run (two parents of a
 * join finishing at once must not both miss that the join is ready); claims,
 * which touch only their own node row, never wait for it.
 */
export async function lockRun(client: pg.PoolClient, runId: string): Promise<LockedRun | undefined> {
  const [row] = await lockRunRows(client, [runId]);
  if (!row) return undefined;
  const nodes = await client.query<NodeStateRow>({
    name: 'lock-run-nodes',
    text: `SELECT name, status, attempt, lease_owner AS "leaseOwner" FROM node_runs WHERE run_id = $1 ORDER BY position`,
    values: [runId],
  });
  return { ...row, nodes: nodes.rows };
}

/**
 * The rows of several runs, locked for the rest of the transaction (see
 * lockRun), for deciding their nodes' successes together; the caller loads the
 * nodes it needs. Rows are locked in id order, so two transactions locking
 * overlapping sets never deadlock on each other.
 */
export async function lockRunRows(client: pg.PoolClient, runIds: readonly string[]): Promise<LockedRunRow[]> {
  const runs = await client.query<LockedRunRow>({
    name: 'lock-run-rows',
    text: `SELECT id, status, cancel_requested AS "cancelRequested", definition_id AS "definitionId",
            definition_version AS "definitionVersion", org_id AS "orgId", workflow_name AS workflow,
            trace_id AS "traceId", COALESCE(start_time, created_at) AS "startTime"
       FROM workflow_runs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    values: [runIds],
  });
  return runs.rows;
}
