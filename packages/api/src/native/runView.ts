import {
  ParkedNodeType,
  Status,
  handlerTypeOf,
  parseElement,
  isParkedNode,
  redactNodeParams,
  signalNameOf,
  type Dag,
  type NodeRecord,
  type RunFamily,
  type RunRecord,
  type RunWithNodes,
} from '@flowline/engine';
import { z } from 'zod';

/** The native API's JSON shape of a run; times are ISO 8601 UTC, statuses by name and code. */
export const NodeViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  dependsOn: z.array(z.string()).describe("the node's parents in the run's own definition version: the DAG's edges"),
  attempt: z.number().int(),
  status: z.string(),
  statusCode: z.number().int(),
  parameters: z.unknown(),
  output: z.unknown(),
  result: z.string(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  waitingFor: z
    .string()
    .nullable()
    .describe(
      'what the node waits for: READY with no live worker serving its handler (it runs as soon as one starts); a root node held while its run waits for a slot of its workflow\'s concurrency limit: that; a parked node (wait, approval, workflow) RUNNING without a worker: the signal, the approval or the child run; null otherwise',
    ),
  skipRequested: z.boolean().describe('an operator asked to skip it before it was reached: it is skipped, not run, once its parents are satisfied'),
  lostAttempts: z.number().int().describe('attempts lost to the platform (a worker died or stopped renewing its lease), re-run apart from the retries'),
  mapOf: z.string().nullable().describe("a map element (named `<map>[<index>]`): its map node's name; null on every other node"),
  index: z.number().int().nullable().describe("a map element's index in its map's list; null on every other node"),
  item: z.unknown().describe("a map element's item, its element of the list (ctx.item); null on every other node"),
  attempts: z
    .array(
      z.object({
        attempt: z.number().int(),
        status: z.string().describe('the status the attempt ended in'),
        statusCode: z.number().int(),
        lost: z.boolean().describe('lost to the platform, not failed by the handler: it did not count against the retries'),
        error: z.string().nullable(),
        result: z.string(),
        startedAt: z.string().nullable(),
        endedAt: z.string().nullable(),
        worker: z.string().nullable().describe('the worker that ran it'),
      }),
    )
    .describe('the attempts before the current one, oldest first'),
});

export const RunSummarySchema = z.object({
  id: z.string().describe('22-char base64url run id'),
  seq: z.number().int().describe('monotonic run sequence'),
  workflow: z.string(),
  definitionVersion: z.number().int(),
  bizId: z.string(),
  bizType: z.string(),
  triggerType: z.number().int().describe('0 manual, 1 periodic, 2 temporary'),
  status: z.string(),
  statusCode: z.number().int().describe('EnOS status code, -1…10'),
  cancelRequested: z.boolean(),
  traceId: z.string().nullable().describe('OpenTelemetry trace id of the run and its node spans'),
  priority: z.number().int().describe('its nodes are dispatched before those of runs of lower priority (default 0)'),
  input: z.unknown(),
  triggerTime: z.string(),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const RunViewSchema = RunSummarySchema.extend({
  nodes: z.array(NodeViewSchema),
  parentRunId: z.string().nullable().describe('the run whose `workflow` node started this one; null if none did'),
  parentNode: z.string().nullable().describe('that node'),
  children: z
    .array(z.object({ runId: z.string(), node: z.string().describe('the `workflow` node that started it'), attempt: z.number().int() }))
    .describe('the runs this run\'s `workflow` nodes started, one per node attempt'),
});

export type RunView = z.infer<typeof RunViewSchema>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What a run's root node held in WAIT waits for: only a run of a limited workflow, not yet admitted, has one (storage/admitRuns.ts). */
const ADMISSION_WAIT = "a free slot of its workflow's concurrency limit";

/** What a parked node RUNNING without a worker waits for, in words. */
function parkedWaitingFor(n: NodeRecord, family: RunFamily): string | null {
  if (n.status !== Status.RUNNING || !isParkedNode(n)) return null;
  if (n.type !== ParkedNodeType.WORKFLOW) {
    const signal = signalNameOf({ name: n.name, params: n.parameters as Record<string, unknown> });
    return n.type === ParkedNodeType.APPROVAL ? `an operator's approval (signal ${signal})` : `signal ${signal}`;
  }
  const child = family.children.find((c) => c.node === n.name && c.attempt === n.attempt);
  return child ? `child run ${child.runId}` : 'its child run to start';
}

/** The handler type a node runs on: its own, or its map's for a map element. */
function handlerTypeOfNode(n: NodeRecord, dag: Pick<Dag, 'nodes'>): string {
  return handlerTypeOf(dag.nodes.get(parseElement(n.name)?.map ?? n.name) ?? { type: n.type });
}

/** The handler types a run's READY nodes wait for a worker of: what a view asks the fleet about (see toRunView's `served`). */
export function readyHandlerTypes(run: RunWithNodes, dag: Pick<Dag, 'nodes'>): string[] {
  return [...new Set(run.nodes.filter((n) => n.status === Status.READY).map((n) => handlerTypeOfNode(n, dag)))];
}

function toNodeView(
  n: NodeRecord,
  dag: Pick<Dag, 'parents' | 'nodes'>,
  served: ReadonlySet<string> | undefined,
  runWaits: boolean,
  family: RunFamily,
): z.infer<typeof NodeViewSchema> {
  const element = parseElement(n.name);
  const handlerType = n.status === Status.READY && served ? handlerTypeOfNode(n, dag) : undefined;
  const held = runWaits && n.status === Status.WAIT && element === undefined && (dag.parents.get(n.name)?.length ?? 0) === 0;
  return {
    id: n.id,
    name: n.name,
    type: n.type,
    dependsOn: [...(dag.parents.get(n.name) ?? [])],
    attempt: n.attempt,
    status: n.statusName,
    statusCode: n.status,
    parameters: redactNodeParams(n.type, n.parameters),
    output: n.output,
    result: n.result,
    error: n.error,
    startedAt: iso(n.startedAt),
    endedAt: iso(n.endedAt),
    waitingFor: held ? ADMISSION_WAIT : handlerType !== undefined && !served!.has(handlerType) ? `a worker that serves ${handlerType}` : parkedWaitingFor(n, family),
    skipRequested: n.skipRequested,
    lostAttempts: n.lostAttempts,
    mapOf: element?.map ?? null,
    index: element?.index ?? null,
    item: element ? n.item : null,
    attempts: n.attempts.map((a) => ({
      attempt: a.attempt,
      status: a.statusName,
      statusCode: a.status,
      lost: a.lost,
      error: a.error,
      result: a.result,
      startedAt: iso(a.startedAt),
      endedAt: iso(a.endedAt),
      worker: a.worker,
    })),
  };
}

/**
 * A run with its nodes; `dag` is the run's own definition version, whose
 * edges the view carries; `served`, the handler types some live worker serves
 * (asked for only when a node is READY), says what a READY node waits for;
 * `family`, the runs it started and the run that started it.
 */
export function toRunView(run: RunWithNodes, dag: Pick<Dag, 'parents' | 'nodes'>, served?: ReadonlySet<string>, family: RunFamily = NO_FAMILY): RunView {
  // A READY (or suspended) run's root is WAIT only while the run waits for admission.
  const runWaits = run.status === Status.READY || run.status === Status.SUSPEND;
  return {
    ...toRunSummary(run),
    nodes: run.nodes.map((n) => toNodeView(n, dag, served, runWaits, family)),
    parentRunId: family.parent?.runId ?? null,
    parentNode: family.parent?.node ?? null,
    children: [...family.children],
  };
}

/** The links of a run with none: one just started through the API (only a `workflow` node's start links a parent, and no node has run yet). */
export const NO_FAMILY: RunFamily = { parent: null, children: [] };

export function toRunSummary(run: RunRecord): z.infer<typeof RunSummarySchema> {
  return {
    id: run.id,
    seq: run.seq,
    workflow: run.workflow,
    definitionVersion: run.definitionVersion,
    bizId: run.bizId,
    bizType: run.bizType,
    triggerType: run.triggerType,
    status: run.statusName,
    statusCode: run.status,
    cancelRequested: run.cancelRequested,
    traceId: run.traceId,
    priority: run.priority,
    input: run.input,
    triggerTime: run.triggerTime.toISOString(),
    startTime: iso(run.startTime),
    endTime: iso(run.endTime),
    createdAt: run.createdAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
  };
}
