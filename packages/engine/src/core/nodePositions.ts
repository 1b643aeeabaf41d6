import type { NodeState } from './runState.ts';

const positionsByList = new WeakMap<readonly NodeState[], ReadonlyMap<string, number>>();

/**
 * Where each node of a run state stands in its node list, by name. Made once
 * and handed on by `decideInTurn` (which keeps every node in its place), so a
 * batch of K events decided in turn indexes its state once, not K times: a
 * map per event was a fifth of a fan-in's allocations.
 */
export function nodePositions(nodes: readonly NodeState[]): ReadonlyMap<string, number> {
  let positions = positionsByList.get(nodes);
  if (!positions) {
    positions = new Map(nodes.map((node, i) => [node.name, i]));
    positionsByList.set(nodes, positions);
  }
  return positions;
}

/** Marks `next` as holding the same nodes in the same places as `previous` (see nodePositions). */
export function keepPositions(previous: readonly NodeState[], next: readonly NodeState[]): void {
  const positions = positionsByList.get(previous);
  if (positions) positionsByList.set(next, positions);
}

/** Appends nodes to a list in place, with its positions (see nodePositions) made anew: a map's elements, added by the decision that reaches it. */
export function appendNodes(nodes: NodeState[], added: readonly NodeState[]): void {
  const positions = new Map(nodePositions(nodes));
  for (const node of added) positions.set(node.name, nodes.push(node) - 1);
  positionsByList.set(nodes, positions);
}
