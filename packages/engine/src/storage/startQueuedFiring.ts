import type pg from 'pg';

/** A QUEUED firing becomes FIRED with the run it started; false if it was not QUEUED any more. */
export async function startQueuedFiring(client: pg.PoolClient, firingId: number, runId: string, now: Date): Promise<boolean> {
  const result = await client.query(
    `UPDATE schedule_firings SET outcome = 'FIRED', run_id = $2, decided_at = $3 WHERE id = $1 AND outcome = 'QUEUED'`,
    [firingId, runId, now],
  );
  return result.rowCount === 1;
}
