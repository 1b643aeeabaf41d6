import type { Dag } from './dag.ts';

interface DagPositions {
  readonly byNode: ReadonlyMap<string, number>;
  readonly parentsByChild: Map<string, readonly number[]>;
}

const positionsByDag = new WeakMap<Dag, DagPositions>();

/**
 * Each node's position in a compiled DAG's order (the `position` column of
 * its row), made once per DAG: versions are immutable, so these never go stale.
 */
export function dagPositions(dag: Dag): { readonly byNode: ReadonlyMap<string, number> } {
  return positionsOf(dag);
}

/** A child's parents' positions, sorted. */
export function parentPositions(dag: Dag, child: string): readonly number[] {
  const positions = positionsOf(dag);
  let parents = positions.parentsByChild.get(child);
  if (!parents) {
    parents = (dag.parents.get(child) ?? []).map((p) => positions.byNode.get(p)!).sort((a, b) => a - b);
    positions.parentsByChild.set(child, parents);
  }
  return parents;
}

function positionsOf(dag: Dag): DagPositions {
  let positions = positionsByDag.get(dag);
  if (!positions) {
    positions = { byNode: new Map(dag.order.map((name, i) => [name, i])), parentsByChild: new Map() };
    positionsByDag.set(dag, positions);
  }
  return positions;
}
