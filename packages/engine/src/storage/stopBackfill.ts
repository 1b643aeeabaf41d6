import type { Queryable } from './database.ts';

/**
 * Stops a running backfill of an org: CANCELLED, its runs so far kept (and
 * left to finish). Waits for a batch in progress to commit; false when there
 * is no such running backfill.
 */
export async function stopBackfill(db: Queryable, orgId: string, id: string, now: Date): Promise<boolean> {
  const result = await db.query(
    `UPDATE backfills SET status = 'CANCELLED', cursor = NULL, updated_at = $3, finished_at = $3 WHERE org_id = $1 AND id = $2 AND status = 'RUNNING'`,
    [orgId, id, now],
  );
  return result.rowCount === 1;
}
