import type pg from 'pg';
import type { Dag } from '../../core/dag.ts';
import { parseElement } from '../../core/mapElements.ts';
import type { NodeStateRow } from '../../core/runState.ts';
import { runStateFromRows } from '../../core/runStateFromRows.ts';
import { Status } from '../../core/status.ts';
import { coversSkips, successScopeRequest } from '../../core/successScope.ts';
import { inTransaction, type Queryable } from '../../storage/database.ts';
import { loadSuccessScopes } from '../../storage/loadSuccessScopes.ts';
import { lockRun, lockRunRows, type LockedRunRow } from '../../storage/lockRun.ts';
import { readNodesDecidedSince } from '../../storage/readNodesDecidedSince.ts';
import { readMapLists } from '../../storage/readMapLists.ts';
import type { DefinitionCache } from '../definitionCache.ts';
import { scopedDecisionState, type DecisionEvent, type DecisionState, type RunDefinitionRef } from '../decisionState.ts';
import type { EngineResources } from '../engineResources.ts';
import type { KnownMapRuns } from '../knownMapRuns.ts';
import type { ReportedSuccess } from '../knownRunStates.ts';

/** How a batch's state was taken (see DecisionStates): the label of its stale-decision count. */
export const StateSource = {
  /** what this process's last decisions about the runs left (KnownRunStates), no read */
  KNOWN: 'known',
  /** read without the runs' locks, the write checking each run's decisionSeq */
  UNLOCKED: 'unlocked',
  /** read under the runs' locks, in the write's transaction */
  LOCKED: 'locked',
} as const;
export type StateSource = (typeof StateSource)[keyof typeof StateSource];

/**
 * Where a decision's state comes from: one chain, from the cheapest source
 * that is sound for the events to the dearest.
 *
 * 1. **Known** — when every event is a success of a run whose scope
 *    (core/successScope.ts) this process knows as its last decision left it
 *    (KnownRunStates): no read at all, one round trip, the write.
 * 2. **Read unlocked** — when every event is a success of a run whose
 *    definition version the reporter named (its claim read it): the scopes of
 *    the runs not known are read in one statement without a lock; the write
 *    commits only if no other decision about a run came between (its
 *    decisionSeq). Two round trips.
 * 3. **Read locked** — anything else (failures, cancel, rerun, and a success
 *    decided again after a stale write): BEGIN, lock the runs, read, write,
 *    COMMIT. Five round trips, but contended runs (a wide join finishing on
 *    many workers) then queue instead of retrying.
 *
 * A run not found, or not of the version named, is missing from the states.
 */
export class DecisionStates {
  constructor(private readonly resources: EngineResources) {}

  /**
   * Runs `work` on the states of the runs `items` are about, taken from the
   * first source of the chain that serves them all (`unlocked` allows the
   * first two), with the connection the write must use.
   */
  async decideOn<T>(
    items: readonly DecisionEvent[],
    unlocked: boolean,
    work: (db: Queryable, states: Map<string, DecisionState>, source: StateSource) => Promise<T>,
  ): Promise<T> {
    const { db, definitions } = this.resources;
    if (unlocked && decidableUnlocked(items)) {
      const known = this.knownStates(items);
      const unknown = items.filter((item) => !known.has(item.runUuid));
      if (unknown.length === 0) return work(db.pool, known, StateSource.KNOWN);
      const read = await loadSuccessStates(db.pool, unknown, definitions);
      // A run whose scope does not cover its successes (a child to be skipped once reached), or with maps, is read whole, locked.
      if (read.whole.length === 0) return work(db.pool, new Map([...known, ...read.states]), StateSource.UNLOCKED);
    }
    return inTransaction(db, async (client) => work(client, await loadDecisionStates(client, items, definitions, this.resources.knownMaps), StateSource.LOCKED));
  }

  /** The states of the runs whose successes in `items` are covered by what this process knows of them. */
  private knownStates(items: readonly DecisionEvent[]): Map<string, DecisionState> {
    const successes = new Map<string, ReportedSuccess[]>();
    for (const { runUuid, event } of items) {
      if (event.type !== 'NODE_SUCCEEDED') continue;
      const reported = successes.get(runUuid);
      if (reported) reported.push(event);
      else successes.set(runUuid, [event]);
    }
    const states = new Map<string, DecisionState>();
    for (const [runUuid, reported] of successes) {
      const state = this.resources.known.successState(runUuid, reported);
      if (state) states.set(runUuid, state);
    }
    return states;
  }
}

/** Whether these events can be decided on state read without a lock: all successes, of runs whose definitions are known. */
export function decidableUnlocked(events: readonly DecisionEvent[]): events is readonly (DecisionEvent & { definition: RunDefinitionRef })[] {
  return events.every((e) => e.event.type === 'NODE_SUCCEEDED' && e.definition !== undefined);
}

/**
 * Locks runs and loads the state `decide` needs for `events`, per run. When
 * every event is a node's success, a run is loaded as its success scope only
 * (core/successScope.ts). Any other event (failures, cancel, rerun, …) may
 * touch any node and loads its run whole. A run with maps is loaded whole,
 * or for node reports alone as its last decision here left it, brought up to
 * date (KnownMapRuns). A run not found is missing from the answer.
 */
export async function loadDecisionStates(
  client: pg.PoolClient,
  events: readonly DecisionEvent[],
  definitions: DefinitionCache,
  knownMaps?: KnownMapRuns,
): Promise<Map<string, DecisionState>> {
  if (events.some(({ event }) => event.type !== 'NODE_SUCCEEDED')) {
    const states = new Map<string, DecisionState>();
    for (const runUuid of new Set(events.map((e) => e.runUuid))) {
      // Locked first only if it may be known: otherwise wholeState locks and reads it in one go.
      const locked = knownMaps?.knownSeq(runUuid) === undefined ? undefined : (await lockRunRows(client, [runUuid]))[0];
      const state = (locked && (await knownMapState(client, knownMaps!, locked, events))) ?? (await wholeState(client, runUuid, definitions, locked));
      if (state) states.set(runUuid, state);
    }
    return states;
  }
  const runs = await lockRunRows(client, [...new Set(events.map((e) => e.runUuid))]);
  const pinned = new Map(runs.map((run) => [run.id, run]));
  const { states, whole } = await loadSuccessStates(client, events.flatMap((e) => (pinned.has(e.runUuid) ? [{ ...e, definition: pinned.get(e.runUuid)! }] : [])), definitions);
  for (const runUuid of whole) {
    const locked = pinned.get(runUuid)!;
    states.set(runUuid, (knownMaps && (await knownMapState(client, knownMaps, locked, events))) ?? (await wholeState(client, runUuid, definitions, locked))!);
  }
  return states;
}

/**
 * A run with maps as this process knows it (KnownMapRuns), locked as `run`
 * and brought up to its decisionSeq with the rows other processes' decisions
 * wrote since, for `events` that are all reports of node attempts (successes
 * and failures); undefined to read it whole.
 */
async function knownMapState(client: pg.PoolClient, knownMaps: KnownMapRuns, run: LockedRunRow, events: readonly DecisionEvent[]): Promise<DecisionState | undefined> {
  const seq = knownMaps.knownSeq(run.id);
  if (seq === undefined || seq > run.decisionSeq) return undefined;
  const reports: ReportedSuccess[] = [];
  for (const { runUuid, event } of events) {
    if (runUuid !== run.id) continue;
    if (event.type !== 'NODE_SUCCEEDED' && event.type !== 'NODE_FAILED') return undefined;
    reports.push(event);
  }
  const rows = seq === run.decisionSeq ? [] : await readNodesDecidedSince(client, run.id, seq);
  const state = knownMaps.stateFor(run, reports, { seq, rows });
  return state && { run, state };
}

/**
 * The maps a decision may reach or rerun from their list: those whose source
 * has succeeded and that have no elements yet. A map with elements is decided
 * on them, so an element's success (the common event) reads no list.
 */
function unexpandedMaps(dag: Dag, rows: readonly NodeStateRow[]): string[] {
  const expanded = new Set<string>();
  const succeeded = new Set<string>();
  for (const row of rows) {
    const element = parseElement(row.name);
    if (element) expanded.add(element.map);
    else if (row.status === Status.SUCCESS) succeeded.add(row.name);
  }
  return [...dag.maps].filter(([map, { source }]) => !expanded.has(map) && succeeded.has(source)).map(([map]) => map);
}

/** A run locked (unless `row` is its row, locked already) and read whole, with its maps' lists (storage/readMapLists.ts) if it has maps; undefined when not found. */
async function wholeState(client: pg.PoolClient, runUuid: string, definitions: DefinitionCache, row?: LockedRunRow): Promise<DecisionState | undefined> {
  const locked = await lockRun(client, runUuid, row);
  if (!locked) return undefined;
  const dag = await definitions.dag(locked.definitionId, locked.definitionVersion, client);
  const mapLists = dag.maps.size === 0 ? undefined : await readMapLists(client, runUuid, dag, unexpandedMaps(dag, locked.nodes));
  return { run: locked, state: runStateFromRows({ ...locked, mapLists }, dag) };
}

/**
 * The state for node successes of runs whose definitions are known, read in
 * one statement (loadSuccessScopes): under the runs' locks, or without them
 * for a decision whose write checks each run's decisionSeq. `whole` names the
 * runs whose scope does not cover their successes (see coversSkips) and the
 * runs with maps: they are to be read whole.
 */
async function loadSuccessStates(
  db: Queryable,
  events: readonly (DecisionEvent & { definition: RunDefinitionRef })[],
  definitions: DefinitionCache,
): Promise<{ states: Map<string, DecisionState>; whole: string[] }> {
  const succeeding = new Map<string, { definition: RunDefinitionRef; dag: Dag; nodes: Set<string> }>();
  const whole = new Set<string>();
  for (const { runUuid, event, definition } of events) {
    let run = succeeding.get(runUuid);
    if (!run) {
      const dag = await definitions.dag(definition.definitionId, definition.definitionVersion, db);
      // A run with maps grows rows (elements) no success scope names: it is decided on whole.
      if (dag.maps.size > 0) {
        whole.add(runUuid);
        continue;
      }
      run = { definition, dag, nodes: new Set() };
      succeeding.set(runUuid, run);
    }
    run.nodes.add((event as { node: string }).node);
  }
  const scopes = await loadSuccessScopes(db, [...succeeding].map(([runId, { dag, nodes }]) => successScopeRequest(runId, dag, nodes)));
  const states = new Map<string, DecisionState>();
  for (const [runId, { nodes, ...run }] of scopes) {
    const { definition, dag, nodes: names } = succeeding.get(runId)!;
    // Decided on another version's DAG, the answer would be wrong: a caller that named the wrong one finds the run missing.
    if (run.definitionId !== definition.definitionId || run.definitionVersion !== definition.definitionVersion) continue;
    if (coversSkips(dag, names, nodes)) states.set(runId, scopedDecisionState(run, nodes, dag));
    else whole.add(runId);
  }
  return { states, whole: [...whole] };
}
