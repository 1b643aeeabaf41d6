import type { Queryable } from './database.ts';

/**
 * Records a backfill batch under the backfill's row lock: runs started, fire
 * times passed over, the cursor; and, on the last batch, DONE with every fire
 * time not run counted as skipped (those the live scheduler owns included).
 * `status = 'RUNNING'` keeps a stop that waited for the lock.
 */
export async function advanceBackfill(
  client: Queryable,
  batch: { readonly id: string; readonly started: number; readonly skipped: number; readonly cursor: Date | undefined; readonly done: boolean; readonly now: Date },
): Promise<void> {
  await client.query(
    `UPDATE backfills
        SET started = started + $2,
            skipped = CASE WHEN $5 THEN total - (started + $2) ELSE skipped + $3 END,
            cursor = $4, updated_at = $6,
            status = CASE WHEN $5 THEN 'DONE' ELSE status END,
            finished_at = CASE WHEN $5 THEN $6 ELSE finished_at END
      WHERE id = $1 AND status = 'RUNNING'`,
    [batch.id, batch.started, batch.skipped, batch.cursor ?? null, batch.done, batch.now],
  );
}
