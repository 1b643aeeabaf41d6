import type { Queryable } from './database.ts';
import { runFilterSql, type RunFilter } from './listRuns.ts';

/**
 * How many runs match a filter, from the kept counts: run_counts plus the
 * deltas not yet compacted into it, read in one statement (one snapshot), so a
 * compaction committing meanwhile is seen wholly or not at all and the sum is
 * exact. The groups are presented under workflow_runs' column names with
 * `deleted_at` NULL (only live rows are counted), so the filter is the very
 * WHERE clause the list queries use. The caller makes sure the filter names no
 * column the groups lack (see countRuns). Cost: the org's groups (workflows ×
 * biz types × statuses) plus the deltas since the last compaction, whatever
 * the number of runs.
 */
export async function sumRunCounts(db: Queryable, filter: RunFilter): Promise<number> {
  const { where, params } = runFilterSql(filter);
  const result = await db.query<{ total: number }>(
    `SELECT coalesce(sum(runs), 0)::bigint AS total FROM (
       SELECT org_id, definition_id, workflow_name, biz_type, status, cancel_requested, runs, NULL::timestamptz AS deleted_at
         FROM run_counts
       UNION ALL
       SELECT org_id, definition_id, workflow_name, biz_type, status, cancel_requested, runs, NULL::timestamptz
         FROM run_count_deltas
     ) AS kept WHERE ${where}`,
    params,
  );
  return result.rows[0]!.total;
}
