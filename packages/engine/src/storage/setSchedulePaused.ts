import type { Queryable } from './database.ts';

/**
 * Pauses or resumes a schedule of an org; false when it has no such schedule.
 * Resuming sets the cursor to the first fire time after now (computed by the
 * caller): time spent paused is not a misfire, so nothing of it is caught up.
 */
export async function setSchedulePaused(
  db: Queryable,
  change: { readonly id: number; readonly orgId: string; readonly paused: boolean; readonly nextFireTime: Date | undefined; readonly now: Date },
): Promise<boolean> {
  const result = await db.query(
    `UPDATE schedules
        SET paused = $3, updated_at = $5,
            next_fire_time = CASE WHEN $3 OR NOT paused THEN next_fire_time ELSE $4 END
      WHERE id = $1 AND org_id = $2`,
    [change.id, change.orgId, change.paused, change.nextFireTime ?? null, change.now],
  );
  return result.rowCount === 1;
}
