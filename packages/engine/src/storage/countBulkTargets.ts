import type { BulkRunFilter } from '../bulk/bulkOperation.ts';
import type { Queryable } from './database.ts';
import { runFilterSql } from './listRuns.ts';

/**
 * How many runs of an org a filter selects now, and the newest one's seq: a
 * filtered operation touches those runs and no run started after it was asked.
 */
export async function countBulkTargets(db: Queryable, orgId: string, filter: BulkRunFilter): Promise<{ total: number; upToSeq: number | null }> {
  const { where, params } = runFilterSql({ orgId, ...filter });
  const result = await db.query<{ total: number; upToSeq: number | null }>(
    `SELECT count(*)::int AS total, max(seq) AS "upToSeq" FROM workflow_runs WHERE ${where}`,
    params,
  );
  return result.rows[0]!;
}
