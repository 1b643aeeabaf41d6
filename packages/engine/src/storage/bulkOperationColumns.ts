import type { BulkOperationRecord } from '../bulk/bulkOperation.ts';

/** The columns of a bulk operation as BulkOperationRecord names them, for every statement that answers one. */
export const BULK_OPERATION_COLUMNS = `id, org_id AS "orgId", action, selector, status, total, processed, succeeded, skipped, failed, errors,
  requested_by AS "requestedBy", created_at AS "createdAt", updated_at AS "updatedAt", finished_at AS "finishedAt"`;

/** A bulk operation row with the working state the loop needs besides what callers see. */
export interface BulkOperationRow extends BulkOperationRecord {
  readonly cursor: number;
  readonly upToSeq: number | null;
}
