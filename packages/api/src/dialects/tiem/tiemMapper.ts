import { Status, redactNodeParams, type NodeRecord, type RunRecord, type RunWithNodes } from '@flowline/engine';
import { tiemStatusOf } from './tiemStatus.ts';
import { tiemTime } from './tiemTime.ts';

/** A workflow as TiEM lists it; the key order is the seed's. */
export interface TiemWorkFlow {
  id: string;
  name: string;
  bizId: string;
  bizType: string;
  status: string;
  createTime: string;
  updateTime: string;
  deleteTime: string;
}

export interface TiemNode {
  id: string;
  name: string;
  parameters: string;
  result: string;
  status: string;
  startTime: string;
  endTime: string;
}

export interface TiemWorkFlowDetail {
  info: TiemWorkFlow;
  nodes: TiemNode[];
  nodeNames: string[];
}

export function toTiemWorkFlow(run: RunRecord, timeZone: string): TiemWorkFlow {
  return {
    id: run.id,
    name: run.workflow,
    bizId: run.bizId,
    bizType: run.bizType,
    status: tiemStatusOf(run.status, run.cancelRequested),
    createTime: tiemTime(run.createdAt, timeZone),
    updateTime: tiemTime(run.updatedAt, timeZone),
    deleteTime: tiemTime(run.deletedAt, timeZone),
  };
}

/** TiEM's `parameters` is text: the node's parameters as JSON, "" when it has none (as in the seed). */
function parametersText(parameters: unknown): string {
  if (parameters === null || parameters === undefined) return '';
  if (typeof parameters === 'object' && Object.keys(parameters).length === 0) return '';
  return JSON.stringify(parameters);
}

function toTiemNode(node: NodeRecord, timeZone: string): TiemNode {
  return {
    id: node.id,
    name: node.name,
    parameters: parametersText(redactNodeParams(node.type, node.parameters)),
    result: node.result,
    status: tiemStatusOf(node.status),
    startTime: tiemTime(node.startedAt, timeZone),
    endTime: tiemTime(node.endedAt, timeZone),
  };
}

const FAILED: readonly Status[] = [Status.FAIL, Status.INTERNAL_ERROR, Status.TIMEOUT];

/**
 * TiEM lists the nodes a flow has executed, in the order they started, and
 * nothing after the node that failed it; nodes not reached yet are absent
 * (a skipped node counts as executed). `nodeNames` is the whole success path:
 * every node in the DAG's topological order, which is the stored position.
 */
export function toTiemDetail(run: RunWithNodes, timeZone: string): TiemWorkFlowDetail {
  const executed = run.nodes
    .filter((n) => n.startedAt !== null || n.status === Status.SKIP)
    .sort((a, b) => sortKey(a) - sortKey(b) || a.position - b.position);
  const firstFailed = executed.findIndex((n) => FAILED.includes(n.status));
  const shown = firstFailed < 0 ? executed : executed.slice(0, firstFailed + 1);
  return {
    info: toTiemWorkFlow(run, timeZone),
    nodes: shown.map((n) => toTiemNode(n, timeZone)),
    nodeNames: [...run.nodes].sort((a, b) => a.position - b.position).map((n) => n.name),
  };
}

const sortKey = (n: NodeRecord) => (n.startedAt ?? n.endedAt)?.getTime() ?? Number.MAX_SAFE_INTEGER;
