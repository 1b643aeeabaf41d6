import { FAILED_STATUSES, SATISFIED_STATUSES, Status, TERMINAL_STATUSES } from '../core/status.ts';
import { statusArraySql } from './statusSql.ts';

/**
 * SQL: the CTEs that read the success scope (core/successScope.ts, whose
 * numbered rules the CTEs below cite) of the nodes in CTE `${p}succeeding`
 * (run_id, name), given `${p}children` (run_id, name) and `${p}ranges`
 * (run_id, child, lo, hi), the input a `SuccessScopeRequest` makes; the rows
 * found are CTE `${p}found` (run_id, name, status, attempt, lease_owner,
 * skip_requested, position). With `skip`, a CTE of (run_id, name), the probes pass over those
 * nodes: a statement that writes them reads the scope its own writes leave by
 * adding them itself (applyCommands' read-ahead).
 */
export function successScopeCtes(p: string, skip?: string): string {
  const unskipped = skip ? `AND NOT EXISTS (SELECT 1 FROM ${skip} w WHERE w.run_id = n.run_id AND w.name = n.name)` : '';
  const columns = 'n.run_id, n.name, n.status, n.attempt, n.lease_owner, n.skip_requested, n.position';
  return `${p}runs AS (
       SELECT DISTINCT run_id FROM ${p}succeeding
     ), ${p}scoped AS (
       -- rule 1: the succeeding nodes and their children.
       -- One key probe per node: an IN over the node set was planned, on a young table, as a
       -- hash join over the whole key index, which grew with every run.
       SELECT t.* FROM (SELECT run_id, name FROM ${p}succeeding UNION SELECT run_id, name FROM ${p}children) AS k
       CROSS JOIN LATERAL (SELECT ${columns} FROM node_runs n WHERE n.run_id = k.run_id AND n.name = k.name OFFSET 0) AS t
     ), ${p}blockers AS (
       -- rule 2: per child, one unsatisfied parent among those not succeeding (their position ranges)
       SELECT b.* FROM (SELECT DISTINCT run_id, child FROM ${p}ranges) AS c
       CROSS JOIN LATERAL (
         SELECT ${columns}
           FROM node_runs n JOIN ${p}ranges r ON r.run_id = c.run_id AND r.child = c.child AND n.position BETWEEN r.lo AND r.hi
          WHERE n.run_id = c.run_id AND n.status <> ALL(${statusArraySql(SATISFIED_STATUSES)}) ${unskipped}
          LIMIT 1) AS b
     ), ${p}open AS (
       -- rule 3: one node, not succeeding, that has not ended
       SELECT o.* FROM ${p}runs CROSS JOIN LATERAL (
         SELECT ${columns} FROM node_runs n
          WHERE n.run_id = ${p}runs.run_id AND n.status <> ALL(${statusArraySql(TERMINAL_STATUSES)})
            AND NOT EXISTS (SELECT 1 FROM ${p}succeeding s WHERE s.run_id = n.run_id AND s.name = n.name) ${unskipped}
          LIMIT 1) AS o
     ), ${p}ended AS (
       -- rule 4: only when rule 3 found none, the first failed node by position and one cancelled node
       SELECT e.* FROM ${p}runs CROSS JOIN LATERAL (
         (SELECT ${columns} FROM node_runs n
           WHERE n.run_id = ${p}runs.run_id AND n.status = ANY(${statusArraySql(FAILED_STATUSES)}) ${unskipped}
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
