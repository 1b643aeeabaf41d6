import type pg from 'pg';

/** The workflow name of a run, for labelling what happens to it (metrics of a run's end). */
export async function readRunWorkflow(pool: pg.Pool, runId: string): Promise<string | undefined> {
  const result = await pool.query<{ workflow: string }>(`SELECT workflow_name AS workflow FROM workflow_runs WHERE id = $1`, [runId]);
  return result.rows[0]?.workflow;
}
