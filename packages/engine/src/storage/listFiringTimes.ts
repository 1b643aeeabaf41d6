import type { Queryable } from './database.ts';

/** The fire times a schedule's ledger has between two instants (both included), as epoch ms: one range of its unique index. */
export async function listFiringTimes(db: Queryable, scheduleId: number, from: Date, to: Date): Promise<Set<number>> {
  const result = await db.query<{ fireTime: Date }>(
    `SELECT fire_time AS "fireTime" FROM schedule_firings WHERE schedule_id = $1 AND fire_time >= $2 AND fire_time <= $3`,
    [scheduleId, from, to],
  );
  return new Set(result.rows.map((r) => r.fireTime.getTime()));
}
