import type pg from 'pg';
import { edgeIndex, type Dag } from '../core/dag.ts';
import type { RunEvent, RunState } from '../core/runState.ts';
import type { Queryable } from '../storage/database.ts';
import { loadSuccessScopes, type ChildParents, type RunSuccesses } from '../storage/loadSuccessScopes.ts';
import { lockRun, lockRunRows, type LockedRunRow, type NodeStateRow } from '../storage/lockRun.ts';
import type { DefinitionCache } from './definitionCache.ts';
import { runStateFromRows } from './runStateFromRows.ts';

interface DagPositions {
  readonly byNode: ReadonlyMap<string, number>;
  readonly parentsByChild: Map<string, readonly number[]>;
}
const positionsByDag = new WeakMap<Dag, DagPositions>();

/** A locked run and the state `decide` needs for the events asked about it. */
export interface DecisionState {
  readonly run: LockedRunRow;
  readonly state: RunState;
}

/** Which definition version a run is pinned to: enough to load its success scope before reading its row. */
export interface RunDefinitionRef {
  readonly definitionId: number;
  readonly definitionVersion: number;
}

/** An event to load state for; `definition` is the run's, when the caller knows it already (a worker's claim told it). */
export interface DecisionEvent {
  readonly runUuid: string;
  readonly event: RunEvent;
  readonly definition?: RunDefinitionRef;
}

/**
 * Locks runs and loads the state `decide` needs for `events`, per run. When
 * every event is a node's success, a run is loaded as its succeeding nodes'
 * neighbourhood only (see loadSuccessScopes): the loaded nodes' edges are cut
 * down to the loaded nodes, which gives `decide` the same answer as the whole
 * run would — a child is released when no unsatisfied parent was found, and
 * the run ends when no unended node was found. Any other event (failures,
 * cancel, rerun, …) may touch any node and loads its run whole. A run not found
 * is missing from the answer.
 */
export async function loadDecisionStates(
  client: pg.PoolClient,
  events: readonly DecisionEvent[],
  definitions: DefinitionCache,
): Promise<Map<string, DecisionState>> {
  if (events.some(({ event }) => event.type !== 'NODE_SUCCEEDED')) {
    const states = new Map<string, DecisionState>();
    for (const runUuid of new Set(events.map((e) => e.runUuid))) {
      const locked = await lockRun(client, runUuid);
      if (!locked) continue;
      const dag = await definitions.dag(locked.definitionId, locked.definitionVersion);
      states.set(runUuid, { run: locked, state: runStateFromRows(locked, dag) });
    }
    return states;
  }
  const runs = await lockRunRows(client, [...new Set(events.map((e) => e.runUuid))]);
  const pinned = new Map(runs.map((run) => [run.id, run]));
  return loadSuccessStates(client, events.flatMap((e) => (pinned.has(e.runUuid) ? [{ ...e, definition: pinned.get(e.runUuid)! }] : [])), definitions);
}

/** Whether these events can be decided on state read without a lock: all successes, of runs whose definitions are known. */
export function decidableUnlocked(events: readonly DecisionEvent[]): events is readonly (DecisionEvent & { definition: RunDefinitionRef })[] {
  return events.every((e) => e.event.type === 'NODE_SUCCEEDED' && e.definition !== undefined);
}

/**
 * The state for node successes of runs whose definitions are known, read in
 * one statement (loadSuccessScopes): under the runs' locks, or without them
 * for a decision whose write checks each run's decisionSeq.
 */
export async function loadSuccessStates(
  db: Queryable,
  events: readonly (DecisionEvent & { definition: RunDefinitionRef })[],
  definitions: DefinitionCache,
): Promise<Map<string, DecisionState>> {
  const succeeding = new Map<string, { definition: RunDefinitionRef; dag: Dag; nodes: Set<string> }>();
  for (const { runUuid, event, definition } of events) {
    let run = succeeding.get(runUuid);
    if (!run) {
      run = { definition, dag: await definitions.dag(definition.definitionId, definition.definitionVersion), nodes: new Set() };
      succeeding.set(runUuid, run);
    }
    run.nodes.add((event as { node: string }).node);
  }
  const scopes = await loadSuccessScopes(db, [...succeeding].map(([runId, { dag, nodes }]) => successScopeRequest(runId, dag, nodes)));
  const states = new Map<string, DecisionState>();
  for (const [runId, { nodes, ...run }] of scopes) {
    const { definition, dag } = succeeding.get(runId)!;
    // Decided on another version's DAG, the answer would be wrong: a caller that named the wrong one finds the run missing.
    if (run.definitionId !== definition.definitionId || run.definitionVersion !== definition.definitionVersion) continue;
    states.set(runId, scopedDecisionState(run, nodes, dag));
  }
  return states;
}

/** What to read to decide the successes of `nodes` of a run (see loadSuccessScopes): their children, and where each child's blockers may be. */
export function successScopeRequest(runId: string, dag: Dag, nodes: Iterable<string>): RunSuccesses {
  const succeeding = [...nodes];
  const children = new Set(succeeding.flatMap((node) => dag.children.get(node) ?? []));
  const positions = new Set(succeeding.map((node) => positionsOf(dag).byNode.get(node)!));
  return { runId, nodes: succeeding, children: [...children].map((child) => parentRangesOf(dag, child, positions)) };
}

/**
 * The state `decide` gets from a success scope's rows: the loaded nodes, in
 * DAG order, with their edges cut down to the loaded nodes (see loadDecisionStates).
 */
export function scopedDecisionState(run: LockedRunRow, rows: readonly NodeStateRow[], dag: Dag): DecisionState {
  const byNode = positionsOf(dag).byNode;
  const ordered = [...rows].sort((a, b) => byNode.get(a.name)! - byNode.get(b.name)!);
  const loaded = new Set(ordered.map((r) => r.name));
  return { run, state: runStateFromRows({ ...run, nodes: ordered }, dag, (edges) => loadedOf(edges, loaded)) };
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
 * node positions (a node's position is its index in the DAG's order), where a
 * blocker is looked for. A child whose parents all succeed now has none, so the
 * root of a 1 → 10,000 fan-out looks for no blocker at all.
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

/** A child's parents' positions, sorted. */
function parentPositions(dag: Dag, child: string): readonly number[] {
  const positions = positionsOf(dag);
  let parents = positions.parentsByChild.get(child);
  if (!parents) {
    parents = (dag.parents.get(child) ?? []).map((p) => positions.byNode.get(p)!).sort((a, b) => a - b);
    positions.parentsByChild.set(child, parents);
  }
  return parents;
}

/** Node positions, and parents' positions per child, of a compiled DAG (versions are immutable, so these never go stale). */
function positionsOf(dag: Dag): DagPositions {
  let positions = positionsByDag.get(dag);
  if (!positions) {
    positions = { byNode: new Map(dag.order.map((name, i) => [name, i])), parentsByChild: new Map() };
    positionsByDag.set(dag, positions);
  }
  return positions;
}
