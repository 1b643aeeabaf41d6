import { redactNodeParams, type NodeSpec, type WorkflowSpec, type WorkflowSpecInput } from '@flowline/engine';
import { PANDORA_NODE_TYPES, type PandoraNodeBody, type PandoraNodeType, type WorkflowBody } from './pandoraBody.ts';
import { PandoraError, PandoraFault } from './pandoraErrors.ts';

/** Labels under which a definition keeps what Pandora has and flowline has no field for. */
const REGION_LABEL = 'pandora.region';
const TYPE_LABEL = 'pandora.type';

/** Pandora's only region ("nb", East China): what a definition made outside Pandora shows. */
const DEFAULT_REGION = 'nb';
/** A node defined outside Pandora is a piece of offline work. */
const DEFAULT_NODE_TYPE: PandoraNodeType = 'job';
/** The data key naming the flowline node type that runs a Pandora node (noop when absent). */
const FLOWLINE_TYPE_KEY = 'flowlineType';

/**
 * The seed: a workflow may start only when it has a real-time compute, a queue
 * export or an offline export. A node made outside Pandora carries no type
 * label and is shown as a `job` (offline work), which is none of them: such a
 * workflow (BackupCluster) is shown `canStart: false` and its start refused,
 * as the README says — the view and the start agree.
 */
const STARTABLE_TYPES: ReadonlySet<PandoraNodeType> = new Set(['transform', 'export', 'exportBatch']);

export interface NodeRef {
  readonly name: string;
  readonly type: PandoraNodeType;
}

export interface PandoraNodeView extends NodeRef {
  readonly data: Record<string, unknown>;
  readonly parents: NodeRef[];
  readonly children: NodeRef[];
}

const isPandoraType = (value: string | undefined): value is PandoraNodeType =>
  value !== undefined && (PANDORA_NODE_TYPES as readonly string[]).includes(value);

export function nodeType(node: Pick<NodeSpec, 'labels'>): PandoraNodeType {
  const label = node.labels?.[TYPE_LABEL];
  return isPandoraType(label) ? label : DEFAULT_NODE_TYPE;
}

export const regionOf = (spec: WorkflowSpec): string => spec.labels?.[REGION_LABEL] ?? DEFAULT_REGION;

/** True when the workflow has something the seed allows to start. */
export function hasStartableNode(spec: WorkflowSpec): boolean {
  return spec.nodes.some((n) => STARTABLE_TYPES.has(nodeType(n)));
}

/** `nodes` of the get answer: keyed `<NodeName>-<NodeType>`, with parents and children by name and type. */
export function toPandoraNodes(spec: WorkflowSpec): Record<string, PandoraNodeView> {
  const types = new Map(spec.nodes.map((n) => [n.name, nodeType(n)]));
  const ref = (name: string): NodeRef => ({ name, type: types.get(name) ?? DEFAULT_NODE_TYPE });
  const children = new Map<string, NodeRef[]>(spec.nodes.map((n) => [n.name, []]));
  for (const node of spec.nodes) for (const parent of node.dependsOn) children.get(parent)?.push(ref(node.name));
  const nodes: Record<string, PandoraNodeView> = {};
  for (const node of spec.nodes) {
    const type = types.get(node.name)!;
    nodes[`${node.name}-${type}`] = {
      name: node.name,
      type,
      data: redactNodeParams(node.type, node.params) as Record<string, unknown>,
      parents: node.dependsOn.map(ref),
      children: children.get(node.name)!,
    };
  }
  return nodes;
}

/**
 * The definition a create or update stores: the comment is the description,
 * the region a label, each Pandora node a flowline node whose `data` are its
 * params, its Pandora type a label, and its edges the union of what `parents`
 * and `children` say. Fields the body leaves out keep their stored values.
 */
export function toWorkflowSpec(name: string, body: WorkflowBody, stored?: WorkflowSpec): WorkflowSpecInput {
  if (body.name !== undefined && body.name !== name) {
    throw new PandoraError(PandoraFault.INVALID_WORKFLOW, `the body names ${JSON.stringify(body.name)} but the path names ${JSON.stringify(name)}`);
  }
  const comment = body.comment ?? stored?.description;
  const region = body.region ?? stored?.labels?.[REGION_LABEL];
  if (region === undefined) throw new PandoraError(PandoraFault.INVALID_WORKFLOW, 'region: required');
  return {
    name,
    ...(comment === undefined ? {} : { description: comment }),
    labels: { ...stored?.labels, [REGION_LABEL]: region },
    nodes: body.nodes === undefined ? (stored?.nodes ?? []) : toNodeSpecs(body.nodes),
    // Pandora has no say over cron schedules; an update keeps them.
    ...(stored?.schedules === undefined ? {} : { schedules: stored.schedules }),
  };
}

function toNodeSpecs(nodes: Record<string, PandoraNodeBody>): WorkflowSpecInput['nodes'] {
  const invalid = (message: string) => new PandoraError(PandoraFault.INVALID_WORKFLOW, message);
  const byName = new Map<string, PandoraNodeBody>();
  for (const [id, node] of Object.entries(nodes)) {
    if (id !== `${node.name}-${node.type}`) throw invalid(`node ${JSON.stringify(id)} must be keyed "${node.name}-${node.type}"`);
    // flowline names a run's nodes by name alone, so two types may not share one
    if (byName.has(node.name)) throw invalid(`two nodes are named ${JSON.stringify(node.name)}`);
    byName.set(node.name, node);
  }
  const checked = (from: string, to: NodeRef): string => {
    if (byName.get(to.name)?.type !== to.type) throw invalid(`node ${from} refers to ${to.name}-${to.type}, which is not in the workflow`);
    return to.name;
  };
  const parents = new Map<string, Set<string>>([...byName.keys()].map((n) => [n, new Set<string>()]));
  for (const node of byName.values()) {
    for (const parent of node.parents ?? []) parents.get(node.name)!.add(checked(node.name, parent));
    for (const child of node.children ?? []) parents.get(checked(node.name, child))!.add(node.name);
  }
  return [...byName.values()].map((node) => {
    const data = node.data ?? {};
    const flowlineType = data[FLOWLINE_TYPE_KEY];
    if (flowlineType !== undefined && typeof flowlineType !== 'string') throw invalid(`node ${node.name}: data.${FLOWLINE_TYPE_KEY} must be a string`);
    return {
      name: node.name,
      type: flowlineType ?? 'noop',
      dependsOn: [...parents.get(node.name)!],
      params: data,
      labels: { [TYPE_LABEL]: node.type },
    };
  });
}
