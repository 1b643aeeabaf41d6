import type pg from 'pg';
import { FAILED_STATUSES, SATISFIED_STATUSES, Status, TERMINAL_STATUSES } from '../core/status.ts';
import type { NodeStateRow } from './lockRun.ts';

/** A child of the node that succeeded, with the positions of its other parents as [from, to] ranges. */
export interface ChildParents {
  readonly child: string;
  readonly parentRanges: readonly (readonly [number, number])[];
}

const SQL_LIST = (statuses: readonly Status[]) => `ARRAY[${statuses.join(',')}]::smallint[]`;

/**
 * The node rows a success of `node` is decided on, instead of every node of the
 * run (which made each completion O(nodes), and a 1 → 10,000 → 1 fan-in O(n²)):
 *
 * - the node and its children;
 * - per child, one other parent that is not yet satisfied, if any: while one
 *   exists the child keeps waiting, and which one does not matter;
 * - one other node that has not ended, if any: then the run cannot end now;
 * - only if every other node has ended: the first failed node by position and
 *   one cancelled node, which decide how the run ends.
 *
 * One statement, run with the run row locked (lockRunRow). Rows come back in
 * position order, as lockRun returns them.
 */
export async function loadSuccessScope(
  client: pg.PoolClient,
  runId: string,
  node: string,
  children: readonly ChildParents[],
): Promise<NodeStateRow[]> {
  const ranges = children.flatMap((c) => c.parentRanges.map(([from, to]) => [c.child, from, to] as const));
  const result = await client.query<NodeStateRow & { position: number }>(
    `WITH scoped AS (
       SELECT name, status, attempt, lease_owner, position FROM node_runs
        WHERE run_id = $1 AND (name = $2 OR name = ANY($3::text[]))
     ), blockers AS (
       SELECT b.* FROM (SELECT DISTINCT child FROM unnest($4::text[]) AS r(child)) AS c
       CROSS JOIN LATERAL (
         SELECT n.name, n.status, n.attempt, n.lease_owner, n.position
           FROM node_runs n JOIN unnest($4::text[], $5::int[], $6::int[]) AS r(child, lo, hi)
             ON r.child = c.child AND n.position BETWEEN r.lo AND r.hi
          WHERE n.run_id = $1 AND n.name <> $2 AND n.status <> ALL(${SQL_LIST(SATISFIED_STATUSES)})
          LIMIT 1) AS b
     ), open AS (
       SELECT name, status, attempt, lease_owner, position FROM node_runs
        WHERE run_id = $1 AND name <> $2 AND status <> ALL(${SQL_LIST(TERMINAL_STATUSES)})
        LIMIT 1
     ), ended AS (
       (SELECT name, status, attempt, lease_owner, position FROM node_runs
         WHERE run_id = $1 AND name <> $2 AND status = ANY(${SQL_LIST(FAILED_STATUSES)})
         ORDER BY position LIMIT 1)
       UNION ALL
       (SELECT name, status, attempt, lease_owner, position FROM node_runs
         WHERE run_id = $1 AND name <> $2 AND status = ${Status.CANCEL}
         LIMIT 1)
     )
     SELECT DISTINCT name, status, attempt, lease_owner AS "leaseOwner", position FROM (
       SELECT * FROM scoped UNION ALL SELECT * FROM blockers UNION ALL SELECT * FROM open
       UNION ALL SELECT * FROM ended WHERE NOT EXISTS (SELECT 1 FROM open)
     ) AS rows
     ORDER BY position`,
    [runId, node, children.map((c) => c.child), ranges.map((r) => r[0]), ranges.map((r) => r[1]), ranges.map((r) => r[2])],
  );
  return result.rows.map(({ name, status, attempt, leaseOwner }) => ({ name, status, attempt, leaseOwner }));
}
