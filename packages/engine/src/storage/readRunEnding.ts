import type pg from 'pg';

/** What labels a run's end: its workflow (metrics, logs) and its trace and times (its root span). */
export interface RunEnding {
  readonly workflow: string;
  readonly traceId: string | null;
  readonly startTime: Date;
  readonly endTime: Date;
}

/** The ending of a run that has just ended; a run never started counts from its creation. */
export async function readRunEnding(pool: pg.Pool, runId: string): Promise<RunEnding | undefined> {
  const result = await pool.query<RunEnding>(
    `SELECT workflow_name AS workflow, trace_id AS "traceId", COALESCE(start_time, created_at) AS "startTime",
            COALESCE(end_time, updated_at) AS "endTime"
       FROM workflow_runs WHERE id = $1`,
    [runId],
  );
  return result.rows[0];
}
