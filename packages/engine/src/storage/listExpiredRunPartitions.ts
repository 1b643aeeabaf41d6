import type { Queryable } from './database.ts';

/**
 * The periods with partitions that ended before `endedBefore`, oldest first:
 * the only ones whose runs can all be past a retention cutoff that late (a run
 * ends after it started, and it started within its period).
 */
export async function listExpiredRunPartitions(db: Queryable, endedBefore: Date): Promise<Date[]> {
  const result = await db.query<{ from_time: Date }>(`SELECT from_time FROM run_partitions WHERE to_time <= $1 ORDER BY from_time`, [endedBefore]);
  return result.rows.map((row) => row.from_time);
}
