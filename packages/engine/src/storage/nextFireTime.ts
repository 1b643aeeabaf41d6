import type { Queryable } from './database.ts';

/** The earliest fire time of any running schedule: when a scheduler replica next has work (served by schedules_due). */
export async function nextFireTime(db: Queryable): Promise<Date | undefined> {
  const result = await db.query<{ next: Date | null }>(`SELECT min(next_fire_time) AS next FROM schedules WHERE NOT paused`);
  return result.rows[0]?.next ?? undefined;
}
