import { Status, statusName, type Dag, type RunRecord } from '@flowline/engine';
import { cycleOfQuartz } from './enosSchedule.ts';
import { enosDateTime, enosStamp, enosTimestamp } from './enosTime.ts';

/** A FlowInstance with exactly the seed's fields, in its order. */
export interface EnosFlowInstance {
  instanceId: string;
  flowId: number;
  flowName: string;
  freq: string;
  cycle: string;
  parameters: string;
  doAs: string;
  graph: string;
  status: number;
  statusDesc: string;
  triggerTime: string;
  startTime: string;
  endTime: string;
  timestamp: string;
  virtual: boolean;
  owner: string;
  hasEditPri: boolean;
  hasReadPri: boolean;
  isCancelled: boolean;
}

export interface EnosView {
  readonly timeZone: string;
  /** the run's schedule expression (Quartz), "" when none */
  readonly freq: string;
  /** whether the caller's role may operate (EnOS hasEditPri) */
  readonly canEdit: boolean;
}

/**
 * A numeric task id per node of a definition, as EnOS has (`104890`): the
 * definition id and the node's position, so it is stable for a node of a
 * version and unique across definitions (a DAG has at most 20 000 nodes).
 */
export function enosTaskId(definitionId: number, position: number): number {
  return definitionId * 100_000 + position + 1;
}

/** EnOS parameters are a JSON array of `{key, value}` as text: the run input's entries. */
function parametersText(input: unknown): string {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return '[]';
  return JSON.stringify(Object.entries(input).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) })));
}

/** Each node's layer (longest path from a root): the x of the drawing; y is its place in the layer. */
function layout(dag: Dag): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>();
  const perLayer = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const name of dag.order) {
    const d = Math.max(-1, ...dag.parents.get(name)!.map((p) => depth.get(p)!)) + 1;
    depth.set(name, d);
    const row = perLayer.get(d) ?? 0;
    perLayer.set(d, row + 1);
    at.set(name, { x: Number((0.002 + d * 0.1).toFixed(4)), y: Number((0.002 + row * 0.1).toFixed(4)) });
  }
  return at;
}

/**
 * The instance's graph as EnOS serialises it, a JSON *string* with the seed's
 * keys in its order. flowline has no alerting (alertMode 0) and no sub-flows.
 */
function graphText(run: RunRecord, dag: Dag, instanceId: string, stamp: string, view: EnosView, parameters: string, cycle: string): string {
  const position = new Map(dag.order.map((name, i) => [name, i]));
  const nodeId = (name: string) => `t_${enosTaskId(run.definitionId, position.get(name)!)}`;
  const at = layout(dag);
  return JSON.stringify({
    creator: run.owner,
    freq: view.freq,
    alertMode: 0,
    owners: run.owner,
    cycle,
    do_as: run.owner,
    flows: [],
    name: run.workflow,
    instId: instanceId,
    id: run.definitionId,
    relations: dag.order.flatMap((name) => dag.children.get(name)!.map((child) => ({ from: nodeId(name), to: nodeId(child) }))),
    parameters,
    tasks: dag.order.map((name, i) => ({
      task_name: name,
      taskInstId: `${enosTaskId(run.definitionId, i)}-${stamp}`,
      x: at.get(name)!.x,
      y: at.get(name)!.y,
      task_id: enosTaskId(run.definitionId, i),
      nodeId: nodeId(name),
    })),
  });
}

export function toEnosFlowInstance(run: RunRecord, dag: Dag, view: EnosView): EnosFlowInstance {
  // The instance stamp is the trigger second, moved on to the next free second when
  // another run of the flow holds it (assignInstanceStamps): the id stays unique in the vendor's format.
  const stamp = enosStamp(run.instanceStamp ?? run.triggerTime, view.timeZone);
  const instanceId = `${run.definitionId}-${stamp}`;
  const parameters = parametersText(run.input);
  const cycle = view.freq ? cycleOfQuartz(view.freq) : '';
  return {
    instanceId,
    flowId: run.definitionId,
    flowName: run.workflow,
    freq: view.freq,
    cycle,
    parameters,
    doAs: run.owner,
    graph: graphText(run, dag, instanceId, stamp, view, parameters, cycle),
    status: run.status,
    statusDesc: statusName(run.status),
    triggerTime: enosDateTime(run.triggerTime, view.timeZone),
    startTime: enosDateTime(run.startTime, view.timeZone),
    endTime: enosDateTime(run.endTime, view.timeZone),
    timestamp: enosTimestamp(run.updatedAt, view.timeZone),
    virtual: false,
    owner: run.owner,
    hasEditPri: view.canEdit,
    hasReadPri: true,
    isCancelled: run.status === Status.CANCEL || run.cancelRequested,
  };
}
