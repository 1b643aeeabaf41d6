import type { BackfillRecord } from '../backfill/backfill.ts';
import type { Queryable } from './database.ts';

/** Writes a new backfill (RUNNING, its cursor on the range's first fire time). */
export async function insertBackfill(
  db: Queryable,
  backfill: Pick<BackfillRecord, 'id' | 'scheduleId' | 'orgId' | 'from' | 'to' | 'maxConcurrent' | 'total' | 'cursor' | 'requestedBy' | 'createdAt'>,
): Promise<void> {
  await db.query(
    `INSERT INTO backfills (id, schedule_id, org_id, from_time, to_time, max_concurrent, status, cursor, total, requested_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::timestamptz IS NULL THEN 'DONE' ELSE 'RUNNING' END, $7, $8, $9, $10, $10)`,
    [backfill.id, backfill.scheduleId, backfill.orgId, backfill.from, backfill.to, backfill.maxConcurrent, backfill.cursor, backfill.total, backfill.requestedBy, backfill.createdAt],
  );
}
