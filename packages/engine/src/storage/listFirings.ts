import type { Queryable } from './database.ts';

/** One row of a schedule's firing ledger: a fire time, its outcome and the run it started. */
export interface FiringRecord {
  readonly id: number;
  readonly fireTime: Date;
  readonly outcome: string;
  readonly runId: string | null;
  readonly decidedAt: Date;
  readonly replica: string;
}

/**
 * A page of a schedule's ledger, newest fire time first, keyset-paged on
 * fire_time (unique per schedule, and the UNIQUE index serves the order).
 */
export async function listFirings(
  db: Queryable,
  scheduleId: number,
  page: { readonly limit: number; readonly before?: Date },
): Promise<{ firings: FiringRecord[]; nextBefore: Date | undefined }> {
  const result = await db.query<FiringRecord>(
    `SELECT id, fire_time AS "fireTime", outcome, run_id AS "runId", decided_at AS "decidedAt", replica
       FROM schedule_firings
      WHERE schedule_id = $1 AND ($2::timestamptz IS NULL OR fire_time < $2)
      ORDER BY fire_time DESC
      LIMIT $3`,
    [scheduleId, page.before ?? null, page.limit + 1],
  );
  const firings = result.rows.slice(0, page.limit);
  return { firings, nextBefore: result.rows.length > page.limit ? firings.at(-1)!.fireTime : undefined };
}
