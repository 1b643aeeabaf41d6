import type pg from 'pg';

/**
 * Moves a schedule's cursor past the fire times just decided, and remembers
 * the run it started last. Conditional on the cursor being where the decision
 * read it: zero rows back means the decision is stale and must roll back.
 */
export async function advanceSchedule(
  client: pg.PoolClient,
  change: { readonly id: number; readonly from: Date | null; readonly to: Date | undefined; readonly lastRunId: string | undefined; readonly now: Date },
): Promise<boolean> {
  const result = await client.query(
    `UPDATE schedules SET next_fire_time = $3, last_run_id = COALESCE($4, last_run_id), updated_at = $5
      WHERE id = $1 AND next_fire_time IS NOT DISTINCT FROM $2`,
    [change.id, change.from, change.to ?? null, change.lastRunId ?? null, change.now],
  );
  return result.rowCount === 1;
}
