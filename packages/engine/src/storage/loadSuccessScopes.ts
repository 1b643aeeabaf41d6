import type { NodeStateRow } from '../core/runState.ts';
import type { SuccessScopeRequest } from '../core/successScope.ts';
import type { Queryable } from './database.ts';
import { runRowColumns, runRowOf, type LockedRun, type PrefixedRunColumns } from './lockRun.ts';
import { successScopeCtes } from './successScopeSql.ts';

/** Marks the run's columns on each node row of the answer. */
const RUN_PREFIX = 'run.';


const LOAD_SUCCESS_SCOPES = `WITH succeeding AS (
       SELECT * FROM unnest($1::uuid[], $2::text[]) AS s(run_id, name)
     ), children AS (
       SELECT * FROM unnest($3::uuid[], $4::text[]) AS c(run_id, name)
     ), ranges AS (
       SELECT * FROM unnest($5::uuid[], $6::text[], $7::int[], $8::int[]) AS r(run_id, child, lo, hi)
     ), ${successScopeCtes('')}
     SELECT f.name, f.status, f.attempt, f.lease_owner AS "leaseOwner", f.skip_requested AS "skipRequested", ${runRowColumns('r', RUN_PREFIX)}
       FROM found f JOIN workflow_runs r ON r.id = f.run_id
      ORDER BY f.run_id, f.position`;

/**
 * The success scopes of the requested successes (see core/successScope.ts),
 * per run, instead of every node of the run. One statement for every run of a batch, which reads each run's row with its
 * nodes, in one snapshot: either with the runs' rows locked (lockRunRows), or
 * without a lock, for a decision whose write then checks the run's
 * decisionSeq (applyCommands). Nodes come back per run in position order, as
 * lockRun returns them; a run not found is missing from the answer.
 */
export async function loadSuccessScopes(db: Queryable, runs: readonly SuccessScopeRequest[]): Promise<Map<string, LockedRun>> {
  const succeeding = runs.flatMap((r) => r.nodes.map((node) => [r.runId, node] as const));
  const children = runs.flatMap((r) => r.children.map((c) => [r.runId, c.child] as const));
  const ranges = runs.flatMap((r) => r.children.flatMap((c) => c.parentRanges.map(([from, to]) => [r.runId, c.child, from, to] as const)));
  const result = await db.query<NodeStateRow & PrefixedRunColumns<typeof RUN_PREFIX>>({
    name: 'load-success-scopes',
    text: LOAD_SUCCESS_SCOPES,
    values: [
      succeeding.map((s) => s[0]),
      succeeding.map((s) => s[1]),
      children.map((c) => c[0]),
      children.map((c) => c[1]),
      ranges.map((r) => r[0]),
      ranges.map((r) => r[1]),
      ranges.map((r) => r[2]),
      ranges.map((r) => r[3]),
    ],
  });
  const byRun = new Map<string, LockedRun & { nodes: NodeStateRow[] }>();
  for (const row of result.rows) {
    const runId = row[`${RUN_PREFIX}id`];
    let run = byRun.get(runId);
    if (!run) {
      run = { ...runRowOf(row, RUN_PREFIX), nodes: [] };
      byRun.set(runId, run);
    }
    run.nodes.push({ name: row.name, status: row.status, attempt: row.attempt, leaseOwner: row.leaseOwner, skipRequested: row.skipRequested });
  }
  return byRun;
}
