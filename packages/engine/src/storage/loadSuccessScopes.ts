import { FAILED_STATUSES, SATISFIED_STATUSES, Status, TERMINAL_STATUSES } from '../core/status.ts';
import type { Queryable } from './database.ts';
import { runRowColumns, type LockedRun, type LockedRunRow, type NodeStateRow } from './lockRun.ts';

/** A child of nodes that succeed, with the positions of its other parents (not succeeding now) as [from, to] ranges. */
export interface ChildParents {
  readonly child: string;
  readonly parentRanges: readonly (readonly [number, number])[];
}

const SQL_LIST = (statuses: readonly Status[]) => `ARRAY[${statuses.join(',')}]::smallint[]`;

/** Marks the run's columns on each node row of the answer. */
const RUN_PREFIX = 'run.';

/** The successes of one run decided together: the nodes that succeeded and the children they may release. */
export interface RunSuccesses {
  readonly runId: string;
  readonly nodes: readonly string[];
  readonly children: readonly ChildParents[];
}

/**
 * The CTEs that find the success scope (see loadSuccessScopes) of the nodes in
 * CTE `${p}succeeding` (run_id, name), given `${p}children` (run_id, name) and
 * `${p}ranges` (run_id, child, lo, hi); the rows found are CTE `${p}found`
 * (run_id, name, status, attempt, lease_owner, position). With `skip`, a CTE
 * of (run_id, name), the probes pass over those nodes: a statement that
 * writes them reads the scope its own writes leave by adding them itself.
 */
export function successScopeCtes(p: string, skip?: string): string {
  const unskipped = skip ? `AND NOT EXISTS (SELECT 1 FROM ${skip} w WHERE w.run_id = n.run_id AND w.name = n.name)` : '';
  const columns = 'n.run_id, n.name, n.status, n.attempt, n.lease_owner, n.position';
  return `${p}runs AS (
       SELECT DISTINCT run_id FROM ${p}succeeding
     ), ${p}scoped AS (
       -- one key probe per node: an IN over the node set was planned, on a young table, as a
       -- hash join over the whole key index, which grew with every run
       SELECT t.* FROM (SELECT run_id, name FROM ${p}succeeding UNION SELECT run_id, name FROM ${p}children) AS k
       CROSS JOIN LATERAL (SELECT ${columns} FROM node_runs n WHERE n.run_id = k.run_id AND n.name = k.name OFFSET 0) AS t
     ), ${p}blockers AS (
       SELECT b.* FROM (SELECT DISTINCT run_id, child FROM ${p}ranges) AS c
       CROSS JOIN LATERAL (
         SELECT ${columns}
           FROM node_runs n JOIN ${p}ranges r ON r.run_id = c.run_id AND r.child = c.child AND n.position BETWEEN r.lo AND r.hi
          WHERE n.run_id = c.run_id AND n.status <> ALL(${SQL_LIST(SATISFIED_STATUSES)}) ${unskipped}
          LIMIT 1) AS b
     ), ${p}open AS (
       SELECT o.* FROM ${p}runs CROSS JOIN LATERAL (
         SELECT ${columns} FROM node_runs n
          WHERE n.run_id = ${p}runs.run_id AND n.status <> ALL(${SQL_LIST(TERMINAL_STATUSES)})
            AND NOT EXISTS (SELECT 1 FROM ${p}succeeding s WHERE s.run_id = n.run_id AND s.name = n.name) ${unskipped}
          LIMIT 1) AS o
     ), ${p}ended AS (
       SELECT e.* FROM ${p}runs CROSS JOIN LATERAL (
         (SELECT ${columns} FROM node_runs n
           WHERE n.run_id = ${p}runs.run_id AND n.status = ANY(${SQL_LIST(FAILED_STATUSES)}) ${unskipped}
           ORDER BY n.position LIMIT 1)
         UNION ALL
         (SELECT ${columns} FROM node_runs n
           WHERE n.run_id = ${p}runs.run_id AND n.status = ${Status.CANCEL} ${unskipped}
           LIMIT 1)) AS e
        WHERE NOT EXISTS (SELECT 1 FROM ${p}open WHERE ${p}open.run_id = ${p}runs.run_id)
     ), ${p}found AS (
       SELECT DISTINCT * FROM (
         SELECT * FROM ${p}scoped UNION ALL SELECT * FROM ${p}blockers UNION ALL SELECT * FROM ${p}open UNION ALL SELECT * FROM ${p}ended
       ) AS rows
     )`;
}

const LOAD_SUCCESS_SCOPES = `WITH succeeding AS (
       SELECT * FROM unnest($1::uuid[], $2::text[]) AS s(run_id, name)
     ), children AS (
       SELECT * FROM unnest($3::uuid[], $4::text[]) AS c(run_id, name)
     ), ranges AS (
       SELECT * FROM unnest($5::uuid[], $6::text[], $7::int[], $8::int[]) AS r(run_id, child, lo, hi)
     ), ${successScopeCtes('')}
     SELECT f.name, f.status, f.attempt, f.lease_owner AS "leaseOwner", ${runRowColumns('r', RUN_PREFIX)}
       FROM found f JOIN workflow_runs r ON r.id = f.run_id
      ORDER BY f.run_id, f.position`;

/**
 * The node rows the successes of `nodes` are decided on, per run, instead of
 * every node of the run (which made each completion O(nodes), and a
 * 1 → 10,000 → 1 fan-in O(n²)):
 *
 * - the succeeding nodes and their children;
 * - per child, one other parent that is neither satisfied nor succeeding now,
 *   if any: while one exists the child keeps waiting, and which one does not matter;
 * - one other node that has not ended, if any: then the run cannot end now;
 * - only if every other node has ended: the first failed node by position and
 *   one cancelled node, which decide how the run ends.
 *
 * One statement for every run of a batch, which reads each run's row with its
 * nodes, in one snapshot: either with the runs' rows locked (lockRunRows), or
 * without a lock, for a decision whose write then checks the run's
 * decisionSeq (applyCommands). Nodes come back per run in position order, as
 * lockRun returns them; a run not found is missing from the answer.
 */
export async function loadSuccessScopes(db: Queryable, runs: readonly RunSuccesses[]): Promise<Map<string, LockedRun>> {
  const succeeding = runs.flatMap((r) => r.nodes.map((node) => [r.runId, node] as const));
  const children = runs.flatMap((r) => r.children.map((c) => [r.runId, c.child] as const));
  const ranges = runs.flatMap((r) => r.children.flatMap((c) => c.parentRanges.map(([from, to]) => [r.runId, c.child, from, to] as const)));
  const result = await db.query<NodeStateRow & { [K in keyof LockedRunRow as `${typeof RUN_PREFIX}${K}`]: LockedRunRow[K] }>({
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
      const runColumns = Object.entries(row).filter(([key]) => key.startsWith(RUN_PREFIX));
      run = { ...(Object.fromEntries(runColumns.map(([key, value]) => [key.slice(RUN_PREFIX.length), value])) as LockedRunRow), nodes: [] };
      byRun.set(runId, run);
    }
    run.nodes.push({ name: row.name, status: row.status, attempt: row.attempt, leaseOwner: row.leaseOwner });
  }
  return byRun;
}
