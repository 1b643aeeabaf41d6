import type { Queryable } from './database.ts';

/**
 * Stops a running bulk operation of an org: CANCELLED, with what its batches
 * did kept. Waits for a batch in progress to commit (its row lock) and so
 * never cuts one in half; false when there is no such running operation.
 */
export async function stopBulkOperation(db: Queryable, orgId: string, id: string, now: Date): Promise<boolean> {
  const result = await db.query(
    `UPDATE bulk_operations SET status = 'CANCELLED', updated_at = $3, finished_at = $3 WHERE org_id = $1 AND id = $2 AND status = 'RUNNING'`,
    [orgId, id, now],
  );
  return result.rowCount === 1;
}
