import { TERMINAL_STATUSES } from '../core/status.ts';
import type { Queryable } from './database.ts';

/** How many runs a schedule's backfills started within a range are still going: the ledger's BACKFILL rows there, each run by its key. */
export async function countLiveBackfillRuns(db: Queryable, scheduleId: number, from: Date, to: Date): Promise<number> {
  const result = await db.query<{ live: number }>(
    `SELECT count(*)::int AS live
       FROM schedule_firings f JOIN workflow_runs r ON r.id = f.run_id
      WHERE f.schedule_id = $1 AND f.fire_time >= $2 AND f.fire_time < $3 AND f.outcome = 'BACKFILL'
        AND r.status <> ALL($4::smallint[])`,
    [scheduleId, from, to, TERMINAL_STATUSES],
  );
  return result.rows[0]!.live;
}
