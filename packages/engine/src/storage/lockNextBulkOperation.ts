import { BULK_OPERATION_COLUMNS, type BulkOperationRow } from './bulkOperationColumns.ts';
import type { Queryable } from './database.ts';

/**
 * Takes the running bulk operation whose last batch is oldest and that no
 * other process holds, under its row lock for the caller's transaction: the
 * lock is the lease (a process that dies drops it with its connection), and
 * taking the least recently advanced one shares the workers among operations.
 */
export async function lockNextBulkOperation(client: Queryable): Promise<BulkOperationRow | undefined> {
  const result = await client.query<BulkOperationRow>(
    `SELECT ${BULK_OPERATION_COLUMNS}, cursor, up_to_seq AS "upToSeq"
       FROM bulk_operations
      WHERE status = 'RUNNING'
      ORDER BY updated_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED`,
  );
  return result.rows[0];
}
