import type { Queryable } from './database.ts';

/**
 * Deletes one batch of firing-ledger rows older than `firedBefore`. An
 * every-second schedule adds 86,400 rows a day. Pruning is safe for
 * exactly-once: a schedule's next fire time only moves forward, so no replica
 * decides a fire time this old again. QUEUED rows still wait for their run and
 * are kept. Oldest first by id (identity, so in insertion order, on the primary key).
 */
export async function deleteExpiredFirings(db: Queryable, firedBefore: Date, limit: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM schedule_firings WHERE id IN (
       SELECT id FROM schedule_firings
        WHERE fire_time < $1 AND outcome <> 'QUEUED'
        ORDER BY id
        LIMIT $2
        FOR UPDATE SKIP LOCKED
     )`,
    [firedBefore, limit],
  );
  return result.rowCount ?? 0;
}
