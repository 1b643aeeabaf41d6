import type { BackfillRecord } from '../backfill/backfill.ts';
import { BACKFILL_COLUMNS } from './backfillColumns.ts';
import type { Queryable } from './database.ts';

/** A schedule's backfills, newest first. */
export async function listBackfills(db: Queryable, scheduleId: number, limit: number): Promise<BackfillRecord[]> {
  const result = await db.query<BackfillRecord>(
    `SELECT ${BACKFILL_COLUMNS} FROM backfills b WHERE b.schedule_id = $1 ORDER BY b.created_at DESC LIMIT $2`,
    [scheduleId, limit],
  );
  return result.rows;
}
