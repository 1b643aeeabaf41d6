import type pg from 'pg';
import type { Dag } from '../core/dag.ts';
import type { RunEvent, RunState } from '../core/runState.ts';
import { loadSuccessScope, type ChildParents } from '../storage/loadSuccessScope.ts';
import { lockRun, lockRunRow, type LockedRunRow } from '../storage/lockRun.ts';
import type { DefinitionCache } from './definitionCache.ts';
import { runStateFromRows } from './runStateFromRows.ts';

/** Parent position ranges per child, per compiled DAG (DAG versions are immutable, so this never goes stale). */
const parentRangesByDag = new WeakMap<Dag, Map<string, ChildParents>>();

/**
 * Locks a run and loads the state `decide` needs for `event`. A node's success
 * is decided on its neighbourhood only (see loadSuccessScope): the loaded nodes'
 * edges are cut down to the loaded nodes, which gives `decide` the same answer
 * as the whole run would — a child is released when no unsatisfied parent was
 * found, and the run ends when no unended node was found. Every other event
 * (failures, cancel, rerun, …) may touch any node and loads them all.
 */
export async function loadDecisionState(
  client: pg.PoolClient,
  runUuid: string,
  event: RunEvent,
  definitions: DefinitionCache,
): Promise<{ run: LockedRunRow; state: RunState } | undefined> {
  if (event.type !== 'NODE_SUCCEEDED') {
    const locked = await lockRun(client, runUuid);
    if (!locked) return undefined;
    const dag = await definitions.dag(locked.definitionId, locked.definitionVersion);
    return { run: locked, state: runStateFromRows(locked, dag) };
  }
  const run = await lockRunRow(client, runUuid);
  if (!run) return undefined;
  const dag = await definitions.dag(run.definitionId, run.definitionVersion);
  const children = (dag.children.get(event.node) ?? []).map((child) => parentRangesOf(dag, child));
  const rows = await loadSuccessScope(client, runUuid, event.node, children);
  const full = runStateFromRows({ ...run, nodes: rows }, dag);
  const loaded = new Set(rows.map((r) => r.name));
  return {
    run,
    state: {
      ...full,
      nodes: full.nodes.map((n) => ({ ...n, parents: n.parents.filter((p) => loaded.has(p)), children: n.children.filter((c) => loaded.has(c)) })),
    },
  };
}

/** A child's parents as ranges of node positions (a node's position is its index in the DAG's order). */
function parentRangesOf(dag: Dag, child: string): ChildParents {
  let cache = parentRangesByDag.get(dag);
  if (!cache) {
    cache = new Map();
    parentRangesByDag.set(dag, cache);
  }
  let entry = cache.get(child);
  if (!entry) {
    const position = new Map(dag.order.map((name, i) => [name, i]));
    const positions = (dag.parents.get(child) ?? []).map((p) => position.get(p)!).sort((a, b) => a - b);
    const parentRanges: [number, number][] = [];
    for (const p of positions) {
      const last = parentRanges[parentRanges.length - 1];
      if (last && last[1] === p - 1) last[1] = p;
      else parentRanges.push([p, p]);
    }
    entry = { child, parentRanges };
    cache.set(child, entry);
  }
  return entry;
}
