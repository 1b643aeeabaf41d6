import type pg from 'pg';
import type { Status } from '../core/status.ts';

export interface LockedRun {
  readonly id: string;
  readonly status: Status;
  readonly cancelRequested: boolean;
  readonly definitionId: number;
  readonly definitionVersion: number;
  readonly orgId: string;
  readonly nodes: readonly { readonly name: string; readonly status: Status; readonly attempt: number; readonly leaseOwner: string | null }[];
}

/**
 * Locks a run's row for the rest of the transaction and reads what the core
 * decides on. The lock serialises decisions within one run (two parents of a
 * join finishing at once must not both miss that the join is ready); claims,
 * which touch only their own node row, never wait for it.
 */
export async function lockRun(client: pg.PoolClient, runId: string): Promise<LockedRun | undefined> {
  const run = await client.query<Omit<LockedRun, 'nodes'>>(
    `SELECT id, status, cancel_requested AS "cancelRequested", definition_id AS "definitionId",
            definition_version AS "definitionVersion", org_id AS "orgId"
       FROM workflow_runs WHERE id = $1 FOR UPDATE`,
    [runId],
  );
  const row = run.rows[0];
  if (!row) return undefined;
  const nodes = await client.query<LockedRun['nodes'][number]>(
    `SELECT name, status, attempt, lease_owner AS "leaseOwner" FROM node_runs WHERE run_id = $1 ORDER BY position`,
    [runId],
  );
  return { ...row, nodes: nodes.rows };
}
