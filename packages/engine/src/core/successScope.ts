import { edgeIndex, type Dag } from './dag.ts';
import { dagPositions, parentPositions } from './dagPositions.ts';
import type { NodeStateRow, RunState } from './runState.ts';
import { runStateFromRows } from './runStateFromRows.ts';

/**
 * # The success scope
 *
 * The node rows the successes of some nodes of a run are decided on, instead
 * of every row of the run (which made each completion O(nodes), and a
 * 1 → 10,000 → 1 fan-in O(n²)). This module states the rule once; three
 * places apply it and cite it here:
 *
 * - `storage/successScopeSql.ts` reads the scope from Postgres: a decision's
 *   own read (`loadSuccessScopes`) and the read-ahead of `applyCommands`;
 * - `runtime/knownRunStates.ts` takes it from what a process knows of a run;
 * - the property test (`test/successScopeAgreement.test.ts`) takes it from
 *   every row, and checks that all three decide as the whole run does.
 *
 * The scope of the successes of the nodes S of a run is:
 *
 * 1. the rows of S, and of every child of a node of S;
 * 2. per such child outside S, one of its parents outside S that is not
 *    satisfied (SUCCESS or SKIP), if there is one: while one exists the child
 *    keeps waiting, and which one does not matter;
 * 3. one node outside S that has not ended, if there is one: then the run
 *    cannot end now;
 * 4. only if there is none: the first failed node by position, and one
 *    cancelled node, which decide how the run ends.
 *
 * One thing the scope does not cover: a child asked to be skipped before it
 * was reached (skipRequested). Released, it is skipped at once and releases
 * its own children, which lie outside the scope: such a success is decided on
 * the whole run (`coversSkips`).
 *
 * Why that is enough: on a success, `decide` reads the succeeding node, its
 * children and their parents (to release a child whose parents are all
 * satisfied), and the other nodes only to settle the run (has every node
 * ended; the first failure; any cancel). Given the scope with its edges cut
 * down to the rows in it (`scopedRunState`), a child with no unsatisfied
 * parent in the scope has none at all (rule 2), and a run with no unended
 * node in the scope has none at all (rule 3), so `decide` answers the same.
 */

/** A child of succeeding nodes, with the positions of its other parents (those not succeeding now) as [from, to] ranges. */
export interface ChildParents {
  readonly child: string;
  readonly parentRanges: readonly (readonly [number, number])[];
}

/** What to read to decide the successes of `nodes` of a run: the succeeding nodes, their children (rule 1) and where each child's blockers may be (rule 2). */
export interface SuccessScopeRequest {
  readonly runId: string;
  readonly nodes: readonly string[];
  readonly children: readonly ChildParents[];
}

/** The request for the scope of the successes of `nodes` (see the rule above), for a reader that finds rows by position. */
export function successScopeRequest(runId: string, dag: Dag, nodes: Iterable<string>): SuccessScopeRequest {
  const succeeding = [...nodes];
  const succeedingSet = new Set(succeeding);
  const children = new Set<string>();
  for (const node of succeeding) for (const child of dag.children.get(node) ?? []) if (!succeedingSet.has(child)) children.add(child);
  const positions = new Set(succeeding.map((node) => dagPositions(dag).byNode.get(node)!));
  return { runId, nodes: succeeding, children: [...children].map((child) => parentRangesOf(dag, child, positions)) };
}

/**
 * Where a scope is looked up: some or all of a run's rows. Each lookup answers
 * `undefined` when the source does not know the answer; the scope is then
 * unknown, and the caller reads it elsewhere.
 */
export interface ScopeSource {
  /** The node's row. */
  row(name: string): NodeStateRow | undefined;
  /** A parent of `child` outside `succeeding` that is not satisfied (rule 2); null when there is none. */
  blocker(child: string, succeeding: ReadonlySet<string>): NodeStateRow | null | undefined;
  /** A node outside `succeeding` that has not ended (rule 3); null when there is none. */
  openNode(succeeding: ReadonlySet<string>): NodeStateRow | null | undefined;
  /** The first failed node by position and one cancelled node (rule 4), those there are. */
  endingRows(): readonly NodeStateRow[] | undefined;
}

/**
 * The scope of successes (see the rule above), given the succeeding nodes'
 * rows — which the caller may take from the reports themselves — and a source
 * for the rest; undefined when the source does not know all of it.
 */
export function successScope(dag: Dag, succeeding: ReadonlyMap<string, NodeStateRow>, source: ScopeSource): NodeStateRow[] | undefined {
  const scope = new Map(succeeding);
  const names = new Set(succeeding.keys());
  for (const node of names) {
    for (const child of dag.children.get(node) ?? []) {
      if (scope.has(child)) continue;
      const row = source.row(child);
      if (!row || row.skipRequested) return undefined;
      scope.set(child, row);
      const blocker = source.blocker(child, names);
      if (blocker === undefined) return undefined;
      if (blocker) scope.set(blocker.name, blocker);
    }
  }
  const open = source.openNode(names);
  if (open === undefined) return undefined;
  if (open) scope.set(open.name, open);
  else {
    const ending = source.endingRows();
    if (!ending) return undefined;
    for (const row of ending) scope.set(row.name, row);
  }
  return [...scope.values()];
}

/**
 * Whether a scope's rows are enough for the successes of `succeeding`: not if
 * a child of theirs is to be skipped once reached (see the rule above).
 */
export function coversSkips(dag: Dag, succeeding: Iterable<string>, rows: readonly NodeStateRow[]): boolean {
  if (!rows.some((row) => row.skipRequested)) return true;
  const children = new Set<string>();
  for (const node of succeeding) for (const child of dag.children.get(node) ?? []) children.add(child);
  return !rows.some((row) => row.skipRequested && children.has(row.name));
}

/**
 * The state `decide` gets from a scope's rows: those nodes, in DAG order, with
 * their edges cut down to the nodes in the scope (see "Why that is enough").
 */
export function scopedRunState(run: Pick<RunState, 'status' | 'cancelRequested'>, rows: readonly NodeStateRow[], dag: Dag): RunState {
  const byNode = dagPositions(dag).byNode;
  const ordered = [...rows].sort((a, b) => byNode.get(a.name)! - byNode.get(b.name)!);
  const loaded = new Set(ordered.map((r) => r.name));
  return runStateFromRows({ status: run.status, cancelRequested: run.cancelRequested, nodes: ordered }, dag, (edges) => loadedOf(edges, loaded));
}

const NO_EDGES: readonly string[] = Object.freeze([]);

/**
 * The edges to loaded nodes, in their order: a wide join's 10,000 parents are
 * not walked for each of the few loaded, so a fan-in's decisions stay O(batch).
 */
function loadedOf(edges: readonly string[], loaded: ReadonlySet<string>): readonly string[] {
  if (edges.length <= loaded.size) {
    // The common answers, all or none (a fan-out child's one parent and one child), without a copy.
    let kept = 0;
    for (const name of edges) if (loaded.has(name)) kept++;
    return kept === edges.length ? edges : kept === 0 ? NO_EDGES : edges.filter((name) => loaded.has(name));
  }
  const index = edgeIndex(edges);
  return [...loaded].filter((name) => index.has(name)).sort((a, b) => index.get(a)! - index.get(b)!);
}

/**
 * A child's other parents — those not succeeding in this batch — as ranges of
 * node positions, where a blocker is looked for (rule 2). A child whose
 * parents all succeed now has none, so the root of a 1 → 10,000 fan-out looks
 * for no blocker at all.
 */
function parentRangesOf(dag: Dag, child: string, succeeding: ReadonlySet<number>): ChildParents {
  const parentRanges: [number, number][] = [];
  for (const p of parentPositions(dag, child)) {
    if (succeeding.has(p)) continue;
    const last = parentRanges[parentRanges.length - 1];
    if (last && last[1] === p - 1) last[1] = p;
    else parentRanges.push([p, p]);
  }
  return { child, parentRanges };
}
