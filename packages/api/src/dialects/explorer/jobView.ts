import { Status, isTerminal, type NodeRecord, type RunFilter, type RunRecord, type RunWithNodes } from '@flowline/engine';
import { formatCompact, formatDateTime, formatOffset, zonedTime } from '../zonedTime.ts';

/**
 * Explorer job status codes (design.md "Status in each dialect"):
 * 0 waiting, 1 running, 2 success, 3 failed, 4 cancelled, 5 paused/cancelling.
 */
const EXPLORER_STATUS: Record<Status, number> = {
  [Status.INIT]: 0,
  [Status.WAIT]: 0,
  [Status.READY]: 0,
  [Status.RERUN]: 0,
  [Status.RUNNING]: 1,
  [Status.SUSPEND]: 5,
  [Status.SUCCESS]: 2,
  [Status.SKIP]: 2,
  [Status.FAIL]: 3,
  [Status.INTERNAL_ERROR]: 3,
  [Status.TIMEOUT]: 3,
  [Status.CANCEL]: 4,
};

/**
 * What an Explorer status code filters for: the table above read backwards,
 * with a cancel asked on a live run counting as 5, not as 0 or 1.
 */
export function explorerStatusFilter(code: number): Pick<RunFilter, 'statuses' | 'cancelRequested' | 'orCancelling'> {
  const statuses = (Object.entries(EXPLORER_STATUS) as [string, number][]).filter(([, c]) => c === code).map(([s]) => Number(s) as Status);
  if (code === 5) return { statuses, orCancelling: true };
  return statuses.some(isTerminal) ? { statuses } : { statuses, cancelRequested: false };
}

function explorerStatus(status: Status, cancelRequested: boolean): number {
  return cancelRequested && !isTerminal(status) ? 5 : EXPLORER_STATUS[status];
}

/** `<workflowName>_<yyyyMMddHHmmss of create time>`, as Explorer names jobs. */
export function jobName(run: RunRecord, timeZone: string): string {
  return `${run.workflow}_${formatCompact(zonedTime(run.createdAt, timeZone))}`;
}

/** A job in a list: epoch-millisecond times (0 when unset, as Explorer's Go zero value). */
export function toJobItem(run: RunRecord, timeZone: string) {
  return {
    id: run.seq,
    name: jobName(run, timeZone),
    workflowId: String(run.definitionId),
    workflowName: run.workflow,
    status: explorerStatus(run.status, run.cancelRequested),
    runBeginTime: run.startTime?.getTime() ?? 0,
    runEndTime: run.endTime?.getTime() ?? 0,
    createTime: run.createdAt.getTime(),
  };
}

/** RFC 3339 to the second in the display zone (`2022-07-12T10:33:35+08:00`); Go's zero time when unset. */
function rfc3339(date: Date | null, timeZone: string): string {
  if (!date) return '0001-01-01T00:00:00Z';
  const t = zonedTime(date, timeZone);
  return `${formatDateTime(t, 'T')}${formatOffset(t.offsetMinutes)}`;
}

/** A task of a job detail: the node, its id as 32 hex digits like Explorer's. */
function toTask(node: NodeRecord, timeZone: string) {
  return {
    id: Buffer.from(node.id, 'base64url').toString('hex'),
    name: node.name,
    runBeginTime: rfc3339(node.startedAt, timeZone),
    runEndTime: rfc3339(node.endedAt, timeZone),
    status: explorerStatus(node.status, false),
  };
}

/** `GET /jobs/{id}`: the job with its tasks in execution order. */
export function toJobDetail(run: RunWithNodes, timeZone: string) {
  return {
    id: run.seq,
    name: jobName(run, timeZone),
    workflowId: String(run.definitionId),
    workflowName: run.workflow,
    status: explorerStatus(run.status, run.cancelRequested),
    tasks: run.nodes.map((n) => toTask(n, timeZone)),
  };
}
