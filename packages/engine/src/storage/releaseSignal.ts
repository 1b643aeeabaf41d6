import type { Queryable } from './database.ts';

/**
 * Gives back a signal a node attempt took but could not use (the attempt had
 * ended meanwhile: cancelled, timed out), so the next node that waits for its
 * name gets it. Conditional on the attempt still holding it.
 */
export async function releaseSignal(db: Queryable, signal: { id: number; node: string; attempt: number }): Promise<void> {
  await db.query(
    `UPDATE run_signals SET consumed_by = NULL, consumed_attempt = NULL, consumed_at = NULL
      WHERE id = $1 AND consumed_by = $2 AND consumed_attempt = $3`,
    [signal.id, signal.node, signal.attempt],
  );
}
