import type { RetentionRule } from '../retention/retentionPolicy.ts';
import type { Queryable } from './database.ts';

/**
 * Drops the history partitions of the period starting at `periodStart` if
 * every run in them is past the retention rules, taking them out of the kept
 * counts and deleting what belongs to them in other tables, in one
 * transaction (the migration's flowline_drop_run_partition, which documents
 * its locks). Returns the runs dropped, or undefined when some run must be
 * kept and nothing changed.
 */
export async function dropRunPartition(db: Queryable, periodStart: Date, rules: readonly RetentionRule[]): Promise<number | undefined> {
  const own = rules.filter((rule) => rule.workflow !== undefined);
  const fallback = rules.find((rule) => rule.workflow === undefined);
  const result = await db.query<{ dropped: string }>(`SELECT flowline_drop_run_partition($1, $2::text[], $3::timestamptz[], $4) AS dropped`, [
    periodStart,
    own.map((rule) => rule.workflow!),
    own.map((rule) => rule.endedBefore),
    fallback?.endedBefore ?? null,
  ]);
  const dropped = Number(result.rows[0]!.dropped);
  return dropped < 0 ? undefined : dropped;
}
