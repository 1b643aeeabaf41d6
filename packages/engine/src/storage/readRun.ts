import { uuidToShortId } from '../core/ids.ts';
import { statusName, type Status, type StatusName } from '../core/status.ts';
import type { Queryable } from './database.ts';

/** A run as every reader sees it. `id` is the 22-char base64url form of the stored uuid. */
export interface RunRecord {
  readonly id: string;
  readonly uuid: string;
  readonly seq: number;
  readonly workflow: string;
  readonly definitionId: number;
  readonly definitionVersion: number;
  readonly orgId: string;
  readonly owner: string;
  readonly bizId: string;
  readonly bizType: string;
  /** EnOS type: 0 manual, 1 periodic, 2 temporary */
  readonly triggerType: number;
  readonly status: Status;
  readonly statusName: StatusName;
  readonly cancelRequested: boolean;
  readonly input: unknown;
  readonly idempotencyKey: string | null;
  /** OpenTelemetry trace id of the run's spans (null for runs started before traces were kept) */
  readonly traceId: string | null;
  /** how soon its nodes are dispatched before other runs' (queue/nodePriority.ts) */
  readonly priority: number;
  readonly triggerTime: Date;
  /** the trigger time to the second, unique within the definition (EnOS instance id); null on rows older than it */
  readonly instanceStamp: Date | null;
  readonly startTime: Date | null;
  readonly endTime: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
}

/** A node of a run as every surface reads it. */
export interface NodeRecord {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly position: number;
  readonly attempt: number;
  readonly status: Status;
  readonly statusName: StatusName;
  readonly parameters: unknown;
  readonly output: unknown;
  readonly result: string;
  readonly error: string | null;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  /** how many of its attempts were lost to the platform (re-run apart from its retries) */
  readonly lostAttempts: number;
  /** an operator asked to skip it before it was reached: it is skipped once its parents are satisfied */
  readonly skipRequested: boolean;
  /** a map element's item (its element of the list its map is over); null on every other node */
  readonly item: unknown;
  /** the attempts before the current one, oldest first: how each ended and why */
  readonly attempts: readonly AttemptRecord[];
}

/** An attempt of a node before its current one (node_attempts). */
export interface AttemptRecord {
  readonly attempt: number;
  /** the status it ended in */
  readonly status: Status;
  readonly statusName: StatusName;
  /** lost to the platform (its worker died or stopped renewing the lease), not failed by its handler */
  readonly lost: boolean;
  readonly error: string | null;
  readonly result: string;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  /** the lease owner that ran it: worker, host and process */
  readonly worker: string | null;
}

/** The attempt history of a node that has none: shared, so a start's 10,000 nodes make no array each. */
export const NO_ATTEMPTS: readonly AttemptRecord[] = Object.freeze([]);

/** A run with its nodes, in position order. */
export interface RunWithNodes extends RunRecord {
  readonly nodes: readonly NodeRecord[];
}

export const RUN_COLUMNS = `
  id AS uuid, seq, workflow_name AS workflow, definition_id AS "definitionId",
  definition_version AS "definitionVersion", org_id AS "orgId", owner, biz_id AS "bizId", biz_type AS "bizType",
  trigger_type AS "triggerType", status, cancel_requested AS "cancelRequested", input,
  idempotency_key AS "idempotencyKey", trace_id AS "traceId", priority, trigger_time AS "triggerTime", instance_stamp AS "instanceStamp", start_time AS "startTime",
  end_time AS "endTime", created_at AS "createdAt", updated_at AS "updatedAt", deleted_at AS "deletedAt"`;

type RunRow = Omit<RunRecord, 'id' | 'statusName'>;

export function toRunRecord(row: RunRow): RunRecord {
  return { ...row, id: uuidToShortId(row.uuid), statusName: statusName(row.status) };
}

/** One run of an org with its nodes in execution order, or undefined. */
export async function readRun(db: Queryable, orgId: string, runUuid: string): Promise<RunWithNodes | undefined> {
  const runs = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM workflow_runs WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL`,
    [runUuid, orgId],
  );
  const row = runs.rows[0];
  if (!row) return undefined;
  const nodes = await db.query<Omit<NodeRecord, 'statusName' | 'attempts'>>(
    `SELECT id, name, type, position, attempt, status, parameters, output, result, error,
            started_at AS "startedAt", ended_at AS "endedAt", lost_attempts AS "lostAttempts", skip_requested AS "skipRequested", item
       FROM node_runs WHERE run_id = $1 ORDER BY position`,
    [runUuid],
  );
  // Most runs never retry a node: their history is not asked for.
  const history = nodes.rows.some((n) => n.attempt > 1) ? await readAttempts(db, runUuid) : new Map<string, AttemptRecord[]>();
  return {
    ...toRunRecord(row),
    nodes: nodes.rows.map((n) => ({ ...n, id: uuidToShortId(n.id), statusName: statusName(n.status), attempts: history.get(n.name) ?? NO_ATTEMPTS })),
  };
}

/** The attempt history of a run's nodes, by node, oldest attempt first. */
async function readAttempts(db: Queryable, runUuid: string): Promise<Map<string, AttemptRecord[]>> {
  const rows = await db.query<Omit<AttemptRecord, 'statusName'> & { node: string }>(
    `SELECT node, attempt, status, lost, error, result, started_at AS "startedAt", ended_at AS "endedAt", worker
       FROM node_attempts WHERE run_id = $1 ORDER BY node, attempt`,
    [runUuid],
  );
  const byNode = new Map<string, AttemptRecord[]>();
  for (const { node, ...attempt } of rows.rows) {
    let attempts = byNode.get(node);
    if (!attempts) byNode.set(node, (attempts = []));
    attempts.push({ ...attempt, statusName: statusName(attempt.status) });
  }
  return byNode;
}
