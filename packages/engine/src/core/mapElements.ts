import type { Dag } from './dag.ts';
import type { NodeSpec } from './spec.ts';

/**
 * The elements of a map (see core/mapSpec.ts): node rows named
 * `<map>[<index>]`, which no declared node can be named (node names are
 * identifier characters). An element is its map's node for everything its
 * definition says — type, handler, params, retries, backoff, timeout — and
 * has its map's parents' outputs but the list's source, and its own item
 * (stored on its row when the map is reached: 10,000 elements do not each
 * read the whole list).
 */

const ELEMENT_NAME = /^([A-Za-z_][A-Za-z0-9_]*)\[([0-9]+)\]$/;

/** The row name of a map's element at `index`. */
export function elementName(map: string, index: number): string {
  return `${map}[${index}]`;
}

/** The map and index an element's name names; undefined for a declared node. */
export function parseElement(name: string): { readonly map: string; readonly index: number } | undefined {
  const match = ELEMENT_NAME.exec(name);
  return match ? { map: match[1]!, index: Number(match[2]) } : undefined;
}

/**
 * Element rows' positions lie past every declared node's (at most 20,000):
 * `(map position + 1) × 100,000 + index`, so they sort after the DAG's nodes,
 * grouped by map in index order, and a probe over a range of declared nodes'
 * positions (the success scope's) never meets one.
 */
export function elementPosition(mapPosition: number, index: number): number {
  return (mapPosition + 1) * ELEMENT_POSITION_STRIDE + index;
}
/** More than a map's elements (MAX_MAP_ITEMS) and a DAG's declared nodes. */
const ELEMENT_POSITION_STRIDE = 100_000;

/** The declared node a row runs as: itself, or an element's map. */
export function specNameOf(name: string): string {
  return parseElement(name)?.map ?? name;
}

/** The spec a row runs under (see specNameOf); undefined for a name the DAG does not know. */
export function specOf(dag: Dag, name: string): NodeSpec | undefined {
  return dag.nodes.get(specNameOf(name));
}

/** The parents whose outputs a row's handler gets: a declared node's own; an element's map's but its list's source (see DagMap). */
export function parentsOf(dag: Dag, name: string): readonly string[] {
  const element = parseElement(name);
  return (element ? dag.maps.get(element.map)?.elementParents : dag.parents.get(name)) ?? [];
}
