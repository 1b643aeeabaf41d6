import type { Dag } from './dag.ts';
import { parseElement, specNameOf } from './mapElements.ts';
import type { MapList } from './mapSpec.ts';
import type { NodeState, NodeStateRow, RunState } from './runState.ts';

/**
 * Joins a run's rows with its pinned DAG into the state the core decides on;
 * `edgesOf` narrows each node's parents and children (a state of some rows
 * keeps only the edges between them, see scopedRunState). `mapLists` are the
 * lists of the run's maps that are known (storage/readMapLists.ts): a map
 * node's state has its list and its elements, an element's names its map.
 */
export function runStateFromRows(
  run: Pick<RunState, 'id' | 'status' | 'cancelRequested'> & { readonly nodes: readonly NodeStateRow[]; readonly mapLists?: ReadonlyMap<string, MapList> },
  dag: Dag,
  edgesOf: (edges: readonly string[]) => readonly string[] = (edges) => edges,
): RunState {
  const nodes = run.nodes.map((row) => nodeState(row, dag, dag.parents.get(row.name) ?? [], dag.children.get(row.name) ?? [], edgesOf));
  return { ...(run.id === undefined ? {} : { id: run.id }), status: run.status, cancelRequested: run.cancelRequested, nodes: dag.maps.size === 0 ? nodes : withMaps(nodes, dag, run.mapLists) };
}

/** A row's state; an element's (no edges of its own: its map is reached for it, and ends after it) runs under its map's spec. */
function nodeState(
  row: NodeStateRow,
  dag: Dag,
  parents: readonly string[],
  children: readonly string[],
  edgesOf: (edges: readonly string[]) => readonly string[],
): NodeState {
  const spec = dag.nodes.get(specNameOf(row.name));
  return {
    name: row.name,
    status: row.status,
    attempt: row.attempt,
    leaseOwner: row.leaseOwner,
    lostAttempts: row.lostAttempts ?? 0,
    skipRequested: row.skipRequested ?? false,
    parents: edgesOf(parents),
    children: edgesOf(children),
    retries: spec?.retries ?? 0,
    backoffMs: spec?.backoffMs ?? 0,
    ...(spec?.retry ? { retry: spec.retry } : {}),
  };
}

/** A run's states with its maps' lists and elements (see MapState), and its elements naming their maps. */
function withMaps(nodes: readonly NodeState[], dag: Dag, lists: ReadonlyMap<string, MapList> | undefined): NodeState[] {
  const elements = elementsByMap(nodes);
  return nodes.map((node) => {
    const map = dag.maps.get(node.name);
    if (map) return { ...node, map: { ...map, list: lists?.get(node.name), elements: elements.get(node.name) ?? [] } };
    const element = parseElement(node.name);
    return element ? { ...node, elementOf: element.map } : node;
  });
}

/** Each map's element names, in index order. */
function elementsByMap(rows: readonly { readonly name: string }[]): Map<string, string[]> {
  const byMap = new Map<string, { name: string; index: number }[]>();
  for (const row of rows) {
    const element = parseElement(row.name);
    if (!element) continue;
    const list = byMap.get(element.map);
    if (list) list.push({ name: row.name, index: element.index });
    else byMap.set(element.map, [{ name: row.name, index: element.index }]);
  }
  return new Map([...byMap].map(([map, list]) => [map, list.sort((a, b) => a.index - b.index).map((e) => e.name)]));
}
