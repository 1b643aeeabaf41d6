import type { Queryable } from './database.ts';

const GROUP = 'org_id, definition_id, workflow_name, biz_type, status, cancel_requested';

/**
 * Folds the appended count deltas into run_counts, in one statement: the
 * deltas it deletes are exactly the ones it adds, and readers see both tables
 * change at one commit. Deltas committed after its snapshot stay for the next
 * pass. Two compactors at once: the second waits on the rows the first
 * deletes and, once they are gone, skips them, so nothing is added twice;
 * groups are upserted in key order, so their row locks cannot deadlock.
 * Groups netting to zero (a run started and ended in between) add no row.
 * Returns the number of groups changed.
 */
export async function compactRunCounts(db: Queryable): Promise<number> {
  const result = await db.query(
    `WITH moved AS (
       DELETE FROM run_count_deltas RETURNING ${GROUP}, runs
     )
     INSERT INTO run_counts (${GROUP}, runs)
     SELECT ${GROUP}, sum(runs) FROM moved
      GROUP BY ${GROUP}
     HAVING sum(runs) <> 0
      ORDER BY ${GROUP}
     ON CONFLICT (${GROUP}) DO UPDATE SET runs = run_counts.runs + excluded.runs`,
  );
  return result.rowCount ?? 0;
}
