import type { BulkRunFilter } from '../bulk/bulkOperation.ts';
import type { Queryable } from './database.ts';
import { runFilterSql } from './listRuns.ts';

/**
 * The next runs a filtered bulk operation works on: those the filter selects
 * after `afterSeq` and up to `upToSeq`, oldest first. Keyset on seq, so runs
 * the operation moves out of the filter (a cancelled run no longer RUNNING)
 * are never met twice and the walk always ends.
 */
export async function listBulkTargets(
  db: Queryable,
  orgId: string,
  filter: BulkRunFilter,
  range: { readonly afterSeq: number; readonly upToSeq: number; readonly limit: number },
): Promise<{ id: string; seq: number }[]> {
  const { where, params } = runFilterSql({ orgId, ...filter });
  const n = params.length;
  const result = await db.query<{ id: string; seq: number }>(
    `SELECT id, seq FROM workflow_runs WHERE ${where} AND seq > $${n + 1} AND seq <= $${n + 2} ORDER BY seq LIMIT $${n + 3}`,
    [...params, range.afterSeq, range.upToSeq, range.limit],
  );
  return result.rows;
}
