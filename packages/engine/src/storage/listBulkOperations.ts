import type { BulkOperationRecord } from '../bulk/bulkOperation.ts';
import { BULK_OPERATION_COLUMNS } from './bulkOperationColumns.ts';
import type { Queryable } from './database.ts';

/** An org's latest bulk operations, newest first. */
export async function listBulkOperations(db: Queryable, orgId: string, limit: number): Promise<BulkOperationRecord[]> {
  const result = await db.query<BulkOperationRecord>(
    `SELECT ${BULK_OPERATION_COLUMNS} FROM bulk_operations WHERE org_id = $1 ORDER BY created_at DESC LIMIT $2`,
    [orgId, limit],
  );
  return result.rows;
}
