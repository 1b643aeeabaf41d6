import { DagInvalid } from '../errors.ts';
import { parseOver, type MapOver } from './mapSpec.ts';
import type { NodeSpec, WorkflowSpec } from './spec.ts';

/** A map node's list and how many of its elements may run at once (see core/mapSpec.ts). */
export interface DagMap extends MapOver {
  readonly over: string;
  readonly maxConcurrency: number | undefined;
  /** the parents whose outputs an element's handler gets: its map's, but the list's source (each element has its item instead) */
  readonly elementParents: readonly string[];
}

/** A validated DAG: nodes in a stable topological order with their edges. */
export interface Dag {
  readonly order: readonly string[];
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  readonly parents: ReadonlyMap<string, readonly string[]>;
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** the map nodes, by name; a DAG with none decides on success scopes, one with some on whole runs (core/successScope.ts) */
  readonly maps: ReadonlyMap<string, DagMap>;
}

/**
 * Validates a workflow's nodes and orders them. Errors name the node at fault:
 * duplicate names, dependencies on unknown nodes, unknown node types, cycles,
 * a map over a node it does not depend on.
 * The order is Kahn's algorithm taking ready nodes in declaration order, so a
 * chain declared top to bottom keeps its order (TiEM lists nodes this way).
 */
export function compileDag(spec: WorkflowSpec, knownTypes?: ReadonlySet<string>): Dag {
  const nodes = new Map<string, NodeSpec>();
  for (const node of spec.nodes) {
    if (nodes.has(node.name)) throw new DagInvalid(`node ${node.name} is declared twice`, node.name);
    if (knownTypes && !knownTypes.has(node.type)) {
      throw new DagInvalid(`node ${node.name} has unknown type ${JSON.stringify(node.type)}`, node.name);
    }
    nodes.set(node.name, node);
  }
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>(spec.nodes.map((n) => [n.name, []]));
  for (const node of spec.nodes) {
    const unique = [...new Set(node.dependsOn)];
    for (const parent of unique) {
      if (parent === node.name) throw new DagInvalid(`node ${node.name} depends on itself`, node.name);
      if (!nodes.has(parent)) throw new DagInvalid(`node ${node.name} depends on unknown node ${parent}`, node.name);
      children.get(parent)!.push(node.name);
    }
    parents.set(node.name, unique);
  }
  const maps = new Map<string, DagMap>();
  for (const node of spec.nodes) {
    if (!node.map) continue;
    const over = parseOver(node.map.over);
    const mapParents = parents.get(node.name)!;
    if (!mapParents.includes(over.source)) {
      throw new DagInvalid(`node ${node.name} maps over ${over.source}, which it does not depend on: add it to dependsOn`, node.name);
    }
    // A map's list is read when it is reached, from its source's stored or reported output; a map's
    // own output is joined after the decision that ends it, too late for a map reached by that decision.
    if (nodes.get(over.source)!.map) {
      throw new DagInvalid(`node ${node.name} maps over ${over.source}, itself a map: put a node between them that returns the list`, node.name);
    }
    maps.set(node.name, { ...over, over: node.map.over, maxConcurrency: node.map.maxConcurrency, elementParents: mapParents.filter((p) => p !== over.source) });
  }

  const remaining = new Map(spec.nodes.map((n) => [n.name, parents.get(n.name)!.length]));
  const position = new Map(spec.nodes.map((n, i) => [n.name, i]));
  const order: string[] = [];
  // A sorted frontier keeps declaration order among ready nodes.
  let frontier = spec.nodes.filter((n) => remaining.get(n.name) === 0).map((n) => n.name);
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const name of frontier) {
      order.push(name);
      for (const child of children.get(name)!) {
        const left = remaining.get(child)! - 1;
        remaining.set(child, left);
        if (left === 0) next.push(child);
      }
    }
    frontier = next.sort((a, b) => position.get(a)! - position.get(b)!);
  }
  if (order.length !== spec.nodes.length) {
    const stuck = spec.nodes.find((n) => remaining.get(n.name)! > 0)!;
    throw new DagInvalid(`node ${stuck.name} is part of a dependency cycle`, stuck.name);
  }
  return { order, nodes, parents, children, maps };
}

const edgeIndexes = new WeakMap<readonly string[], ReadonlyMap<string, number>>();

/**
 * Where each name stands in one of a compiled DAG's edge lists (a node's
 * parents or children), made once per list and kept as long as the DAG: a
 * wide join's 10,000 parents are looked up, not walked.
 */
export function edgeIndex(edges: readonly string[]): ReadonlyMap<string, number> {
  let index = edgeIndexes.get(edges);
  if (!index) edgeIndexes.set(edges, (index = new Map(edges.map((name, i) => [name, i]))));
  return index;
}
