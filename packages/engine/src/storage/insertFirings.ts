import type pg from 'pg';

export interface FiringRow {
  readonly fireTime: Date;
  readonly outcome: string;
  readonly runId: string | undefined;
}

/**
 * Writes a decision's ledger rows in one statement. No ON CONFLICT: a row
 * that exists means another replica decided this fire time, and the unique
 * violation must roll back the caller's whole transaction, runs included.
 */
export async function insertFirings(
  client: pg.PoolClient,
  scheduleId: number,
  rows: readonly FiringRow[],
  decidedAt: Date,
  replica: string,
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO schedule_firings (schedule_id, fire_time, outcome, run_id, decided_at, replica)
     SELECT $1, f.fire_time, f.outcome, f.run_id, $5, $6
       FROM unnest($2::timestamptz[], $3::text[], $4::uuid[]) AS f(fire_time, outcome, run_id)`,
    [scheduleId, rows.map((r) => r.fireTime), rows.map((r) => r.outcome), rows.map((r) => r.runId ?? null), decidedAt, replica],
  );
}
