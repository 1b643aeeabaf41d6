import { MAX_BULK_ERRORS, type BulkTally } from '../bulk/bulkOperation.ts';
import type { Queryable } from './database.ts';

/**
 * Adds a batch to a bulk operation: its counts, its failures (keeping the
 * latest MAX_BULK_ERRORS), the cursor past it, and DONE when it was the last.
 * Written in the transaction that holds the operation's row lock, so a batch
 * counts once; a stop asked meanwhile waited for the lock and stays CANCELLED.
 */
export async function recordBulkProgress(
  client: Queryable,
  progress: { readonly id: string; readonly tally: BulkTally; readonly cursor: number; readonly done: boolean; readonly now: Date },
): Promise<void> {
  const { id, tally, cursor, done, now } = progress;
  await client.query(
    `UPDATE bulk_operations
        SET processed = processed + $2, succeeded = succeeded + $3, skipped = skipped + $4, failed = failed + $5,
            errors = (SELECT COALESCE(jsonb_agg(e ORDER BY i), '[]'::jsonb)
                        FROM (SELECT e, i FROM jsonb_array_elements(errors || $6::jsonb) WITH ORDINALITY AS x(e, i)
                               ORDER BY i DESC LIMIT $7) AS latest),
            cursor = $8, updated_at = $9,
            status = CASE WHEN $10 THEN 'DONE' ELSE status END,
            finished_at = CASE WHEN $10 THEN $9 ELSE finished_at END
      WHERE id = $1 AND status = 'RUNNING'`,
    [id, tally.processed, tally.succeeded, tally.skipped, tally.failed, JSON.stringify(tally.errors), MAX_BULK_ERRORS, cursor, now, done],
  );
}
