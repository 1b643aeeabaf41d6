import type { Dag } from '../core/dag.ts';
import type { RunState } from '../core/runState.ts';
import type { LockedRun } from '../storage/lockRun.ts';

/**
 * Joins a locked run's rows with its pinned DAG into the state the core
 * decides on; `edgesOf` narrows each node's parents and children (a state of
 * some rows keeps only the edges between them).
 */
export function runStateFromRows(locked: LockedRun, dag: Dag, edgesOf: (edges: readonly string[]) => readonly string[] = (edges) => edges): RunState {
  return {
    status: locked.status,
    cancelRequested: locked.cancelRequested,
    nodes: locked.nodes.map((row) => {
      const spec = dag.nodes.get(row.name);
      return {
        name: row.name,
        status: row.status,
        attempt: row.attempt,
        leaseOwner: row.leaseOwner,
        parents: edgesOf(dag.parents.get(row.name) ?? []),
        children: edgesOf(dag.children.get(row.name) ?? []),
        retries: spec?.retries ?? 0,
        backoffMs: spec?.backoffMs ?? 0,
      };
    }),
  };
}
