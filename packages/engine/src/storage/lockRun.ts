import type pg from 'pg';
import type { NodeStateRow } from '../core/runState.ts';
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
  /** the run's decision count when read: a decision written without the lock commits only if it still holds */
  readonly decisionSeq: number;
  /** the run's priority: its nodes' dispatch order (queue/nodePriority.ts); absent: 0 */
  readonly priority?: number;
  readonly nodes: readonly NodeStateRow[];
}

export type LockedRunRow = Omit<LockedRun, 'nodes'>;

/** The columns of a LockedRunRow, read from `workflow_runs` under `alias`, each named `<prefix><field>`. */
export function runRowColumns(alias: string, prefix = ''): string {
  const column = (sql: string, field: string) => `${sql} AS "${prefix}${field}"`;
  return [
    column(`${alias}.id`, 'id'),
    column(`${alias}.status`, 'status'),
    column(`${alias}.cancel_requested`, 'cancelRequested'),
    column(`${alias}.definition_id`, 'definitionId'),
    column(`${alias}.definition_version`, 'definitionVersion'),
    column(`${alias}.org_id`, 'orgId'),
    column(`${alias}.workflow_name`, 'workflow'),
    column(`${alias}.trace_id`, 'traceId'),
    column(`COALESCE(${alias}.start_time, ${alias}.created_at)`, 'startTime'),
    column(`${alias}.decision_seq`, 'decisionSeq'),
    column(`${alias}.priority`, 'priority'),
  ].join(', ');
}

/** A row read with `runRowColumns(alias, prefix)`: the run's columns, each named `<prefix><field>`. */
export type PrefixedRunColumns<P extends string> = { [K in keyof LockedRunRow as `${P}${K}`]: LockedRunRow[K] };

/** The run's row among the columns of `row`, read with `runRowColumns(alias, prefix)`. */
export function runRowOf(row: object, prefix: string): LockedRunRow {
  const run: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (key.startsWith(prefix)) run[key.slice(prefix.length)] = value;
  return run as unknown as LockedRunRow;
}

/**
 * Locks a run's row for the rest of the transaction and reads what the core
 * decides on. The lock serialises the locked decisions within one run (two
 * parents of a join finishing at once must not both miss that the join is
 * ready); a decision made without it is written only if the run's
 * decisionSeq is unchanged (applyCommands), so it cannot miss one either.
 * Claims, which touch only their own node row, never wait for it.
 */
export async function lockRun(client: pg.PoolClient, runId: string, locked?: LockedRunRow): Promise<LockedRun | undefined> {
  // A row the caller has locked already in this transaction (lockRunRows) is not locked and read again.
  const row = locked ?? (await lockRunRows(client, [runId]))[0];
  if (!row) return undefined;
  const nodes = await client.query<NodeStateRow>({
    name: 'lock-run-nodes',
    text: `SELECT name, status, attempt, lease_owner AS "leaseOwner", lost_attempts AS "lostAttempts", skip_requested AS "skipRequested"
             FROM node_runs WHERE run_id = $1 ORDER BY position`,
    values: [runId],
  });
  return { ...row, nodes: nodes.rows };
}

const LOCK_RUN_ROWS = `SELECT ${runRowColumns('r')} FROM workflow_runs r WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`;

/**
 * The rows of several runs, locked for the rest of the transaction (see
 * lockRun), for deciding their nodes' successes together; the caller loads the
 * nodes it needs. Rows are locked in id order, so two transactions locking
 * overlapping sets never deadlock on each other.
 */
export async function lockRunRows(client: pg.PoolClient, runIds: readonly string[]): Promise<LockedRunRow[]> {
  const runs = await client.query<LockedRunRow>({
    name: 'lock-run-rows',
    text: LOCK_RUN_ROWS,
    values: [runIds],
  });
  return runs.rows;
}
