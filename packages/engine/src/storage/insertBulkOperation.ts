import type { BulkOperationRecord } from '../bulk/bulkOperation.ts';
import type { Queryable } from './database.ts';

/** Writes a new bulk operation (RUNNING, nothing processed yet); `upToSeq` bounds a filter to the runs there were. */
export async function insertBulkOperation(
  db: Queryable,
  operation: Pick<BulkOperationRecord, 'id' | 'orgId' | 'action' | 'selector' | 'total' | 'requestedBy' | 'createdAt'> & { readonly upToSeq: number | null },
): Promise<void> {
  await db.query(
    `INSERT INTO bulk_operations (id, org_id, action, selector, status, total, up_to_seq, requested_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'RUNNING', $5, $6, $7, $8, $8)`,
    [operation.id, operation.orgId, operation.action, JSON.stringify(operation.selector), operation.total, operation.upToSeq, operation.requestedBy, operation.createdAt],
  );
}
