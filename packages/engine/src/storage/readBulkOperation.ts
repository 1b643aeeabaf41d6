import type { BulkOperationRecord } from '../bulk/bulkOperation.ts';
import { BULK_OPERATION_COLUMNS } from './bulkOperationColumns.ts';
import type { Queryable } from './database.ts';

/** One of an org's bulk operations, as committed by its last batch. */
export async function readBulkOperation(db: Queryable, orgId: string, id: string): Promise<BulkOperationRecord | undefined> {
  const result = await db.query<BulkOperationRecord>(`SELECT ${BULK_OPERATION_COLUMNS} FROM bulk_operations WHERE org_id = $1 AND id = $2`, [orgId, id]);
  return result.rows[0];
}
