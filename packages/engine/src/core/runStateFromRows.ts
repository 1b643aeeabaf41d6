import type { Dag } from './dag.ts';
import type { NodeStateRow, RunState } from './runState.ts';

/**
 * Joins a run's rows with its pinned DAG into the state the core decides on;
 * `edgesOf` narrows each node's parents and children (a state of some rows
 * keeps only the edges between them, see scopedRunState).
 */
export function runStateFromRows(
  run: Pick<RunState, 'status' | 'cancelRequested'> & { readonly nodes: readonly NodeStateRow[] },
  dag: Dag,
  edgesOf: (edges: readonly string[]) => readonly string[] = (edges) => edges,
): RunState {
  return {
    status: run.status,
    cancelRequested: run.cancelRequested,
    nodes: run.nodes.map((row) => {
      const spec = dag.nodes.get(row.name);
      return {
        name: row.name,
        status: row.status,
        attempt: row.attempt,
        leaseOwner: row.leaseOwner,
        lostAttempts: row.lostAttempts ?? 0,
        skipRequested: row.skipRequested ?? false,
        parents: edgesOf(dag.parents.get(row.name) ?? []),
        children: edgesOf(dag.children.get(row.name) ?? []),
        retries: spec?.retries ?? 0,
        backoffMs: spec?.backoffMs ?? 0,
      };
    }),
  };
}
