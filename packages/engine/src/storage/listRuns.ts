import { TERMINAL_STATUSES, type Status } from '../core/status.ts';
import type { Queryable } from './database.ts';
import { historyStatement } from './historyStatement.ts';
import { RUN_COLUMNS, toRunRecord, type RunRecord } from './readRun.ts';

/** Filters every history reader shares; each is optional and they combine with AND. */
export interface RunFilter {
  readonly orgId: string;
  readonly workflow?: string;
  /** the definition's numeric id (Explorer workflowId, Tencent WorkflowId): unlike the name, never reused */
  readonly definitionId?: number;
  /** substring match on the workflow name (TiEM flowName, EnOS expression) */
  readonly workflowContains?: string;
  readonly statuses?: readonly Status[];
  /**
   * With `statuses`: also match live runs whose cancel was asked (Explorer's
   * status 5 is both SUSPEND and "being cancelled").
   */
  readonly orCancelling?: boolean;
  /** the cancel-asked flag (TiEM tells `Canceling` apart from the live statuses by it) */
  readonly cancelRequested?: boolean;
  readonly owner?: string;
  readonly bizId?: string;
  readonly bizType?: string;
  readonly triggerType?: number;
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
  /** trigger time at or after (EnOS fromTriggerTime) */
  readonly triggeredFrom?: Date;
  /** trigger time at or before (EnOS toTriggerTime: both ends inclusive) */
  readonly triggeredTo?: Date;
}

/** Builds the WHERE clause of a filter; parameters are numbered from `$1`. */
export function runFilterSql(filter: RunFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [filter.orgId];
  const clauses = ['org_id = $1', 'deleted_at IS NULL'];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(params.length));
  };
  if (filter.workflow !== undefined) add((n) => `workflow_name = $${n}`, filter.workflow);
  if (filter.workflowContains !== undefined) {
    add((n) => `strpos(lower(workflow_name), lower($${n})) > 0`, filter.workflowContains);
  }
  if (filter.definitionId !== undefined) add((n) => `definition_id = $${n}`, filter.definitionId);
  if (filter.statuses !== undefined && filter.orCancelling) {
    params.push(filter.statuses, TERMINAL_STATUSES);
    const [statuses, terminal] = [params.length - 1, params.length];
    clauses.push(`(status = ANY($${statuses}::smallint[]) OR (cancel_requested AND status <> ALL($${terminal}::smallint[])))`);
  } else if (filter.statuses !== undefined) {
    add((n) => `status = ANY($${n}::smallint[])`, filter.statuses);
  }
  if (filter.cancelRequested !== undefined) add((n) => `cancel_requested = $${n}`, filter.cancelRequested);
  if (filter.owner !== undefined) add((n) => `owner = $${n}`, filter.owner);
  if (filter.bizId !== undefined) add((n) => `biz_id = $${n}`, filter.bizId);
  if (filter.bizType !== undefined) add((n) => `biz_type = $${n}`, filter.bizType);
  if (filter.triggerType !== undefined) add((n) => `trigger_type = $${n}`, filter.triggerType);
  if (filter.createdFrom !== undefined) add((n) => `created_at >= $${n}`, filter.createdFrom);
  if (filter.createdTo !== undefined) add((n) => `created_at < $${n}`, filter.createdTo);
  if (filter.triggeredFrom !== undefined) add((n) => `trigger_time >= $${n}`, filter.triggeredFrom);
  if (filter.triggeredTo !== undefined) add((n) => `trigger_time <= $${n}`, filter.triggeredTo);
  return { where: clauses.join(' AND '), params };
}

/** Which page of runs by sequence: up to `limit` runs before `beforeSeq` (newest first) or after `afterSeq` (`ascending`). */
export interface RunSeqPageRequest {
  readonly limit: number;
  readonly beforeSeq?: number;
  readonly afterSeq?: number;
  readonly ascending?: boolean;
}

/** A page of runs by sequence, and where the next one starts (undefined when there is none). */
export interface RunSeqPage {
  readonly runs: RunRecord[];
  readonly nextBeforeSeq: number | undefined;
  readonly nextAfterSeq: number | undefined;
}

/**
 * One page of runs by keyset on `seq`, newest first (or oldest first with
 * `ascending`, Tencent `orderByTime=Asc`): the page after `beforeSeq` (or
 * `afterSeq`) costs the same however deep it is (no OFFSET scan). Fetches one
 * extra row to know whether another page follows; the next page starts at
 * `nextBeforeSeq` (descending) or `nextAfterSeq` (ascending).
 */
export async function listRunsBySeq(db: Queryable, filter: RunFilter, page: RunSeqPageRequest): Promise<RunSeqPage> {
  const { where, params } = runFilterSql(filter);
  let keyset = '';
  if (page.beforeSeq !== undefined) {
    params.push(page.beforeSeq);
    keyset += ` AND seq < $${params.length}`;
  }
  if (page.afterSeq !== undefined) {
    params.push(page.afterSeq);
    keyset += ` AND seq > $${params.length}`;
  }
  params.push(page.limit + 1);
  const result = await db.query(
    historyStatement(`SELECT ${RUN_COLUMNS} FROM workflow_runs WHERE ${where}${keyset} ORDER BY seq ${page.ascending ? 'ASC' : 'DESC'} LIMIT $${params.length}`, params),
  );
  const rows = result.rows.slice(0, page.limit).map(toRunRecord);
  const last = result.rows.length > page.limit ? rows[rows.length - 1]!.seq : undefined;
  return { runs: rows, nextBeforeSeq: page.ascending ? undefined : last, nextAfterSeq: page.ascending ? last : undefined };
}
