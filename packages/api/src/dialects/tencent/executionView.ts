import { Status, isTerminal, type Dag, type NodeRecord, type RunRecord, type RunWithNodes } from '@flowline/engine';
import { formatDateTime, formatOffset, zonedTime } from '../zonedTime.ts';
import { toRunId, toWorkflowId } from './tencentIds.ts';

/** CI instance states (design.md "Status in each dialect"); a run being cancelled still reads Running. */
const STATE: Record<Status, string> = {
  [Status.INIT]: 'Running',
  [Status.WAIT]: 'Running',
  [Status.READY]: 'Running',
  [Status.RERUN]: 'Running',
  [Status.RUNNING]: 'Running',
  [Status.SUSPEND]: 'Pause',
  [Status.SUCCESS]: 'Success',
  [Status.SKIP]: 'Success',
  [Status.FAIL]: 'Failed',
  [Status.INTERNAL_ERROR]: 'Failed',
  [Status.TIMEOUT]: 'Failed',
  [Status.CANCEL]: 'Cancel',
};

function ciState(status: Status, cancelRequested: boolean): string {
  return cancelRequested && !isTerminal(status) ? 'Running' : STATE[status];
}

/** The statuses each `states` word filters for (the table above, read backwards). */
export const STATES = ['Running', 'Success', 'Failed', 'Pause', 'Cancel'] as const;
export function statusesOfState(state: (typeof STATES)[number]): Status[] {
  return (Object.entries(STATE) as [string, string][]).filter(([, s]) => s === state).map(([code]) => Number(code) as Status);
}

/** `2022-08-09T14:54:17+08:00`: the display zone, no fraction; empty when unset. */
export function ciTime(date: Date | null, timeZone: string): string {
  if (!date) return '';
  const t = zonedTime(date, timeZone);
  return `${formatDateTime(t, 'T')}${formatOffset(t.offsetMinutes)}`;
}

/**
 * The COS object a run worked on: what `POST /triggerworkflow?object=` gave,
 * kept as the run's bizId (runs started elsewhere show their bizId).
 */
const objectOf = (run: RunRecord) => run.bizId;

/** One `<WorkflowExecutionList>` entry, elements in the seed's order. */
export function toExecutionListEntry(run: RunRecord, timeZone: string) {
  return {
    RunId: toRunId(run.uuid),
    WorkflowId: toWorkflowId(run.definitionId),
    Object: objectOf(run),
    CreateTime: ciTime(run.createdAt, timeZone),
    State: ciState(run.status, run.cancelRequested),
  };
}

/**
 * CI's topology: `Dependencies` maps Start and every node to its successors
 * (comma-separated, `End` after the last), `Nodes` gives each its type.
 */
function topology(dag: Dag) {
  const roots = dag.order.filter((name) => (dag.parents.get(name) ?? []).length === 0);
  const dependencies: Record<string, string> = { Start: roots.join(',') };
  for (const name of dag.order) dependencies[name] = dag.children.get(name)?.join(',') || 'End';
  const nodes: Record<string, { Type: string }> = { Start: { Type: 'Start' } };
  for (const name of dag.order) nodes[name] = { Type: dag.nodes.get(name)!.type };
  nodes.End = { Type: 'End' };
  return { Dependencies: dependencies, Nodes: nodes };
}

function toTask(node: NodeRecord, timeZone: string) {
  return {
    Type: node.type,
    CreateTime: ciTime(node.startedAt, timeZone),
    EndTime: ciTime(node.endedAt, timeZone),
    State: STATE[node.status],
    JobId: Buffer.from(node.id, 'base64url').toString('hex'),
    Name: node.name,
  };
}

/** `GET /workflowexecution/{RunId}`'s `<WorkflowExecution>`, as CI's DescribeWorkflowExecution. */
export function toExecutionDetail(run: RunWithNodes, dag: Dag, timeZone: string) {
  return {
    RunId: toRunId(run.uuid),
    WorkflowId: toWorkflowId(run.definitionId),
    WorkflowName: run.workflow,
    State: ciState(run.status, run.cancelRequested),
    CreateTime: ciTime(run.createdAt, timeZone),
    Object: objectOf(run),
    Topology: topology(dag),
    Tasks: run.nodes.map((n) => toTask(n, timeZone)),
  };
}
