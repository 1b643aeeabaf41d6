import type { Queryable } from './database.ts';
import type { SignalRow } from './insertSignal.ts';

/**
 * Takes the oldest signal of `name` kept for a run for one node attempt: one
 * conditional write, so each signal goes to at most one attempt. A signal
 * this attempt took already (its decision did not follow: a crash, a lost
 * race) is taken again first, so no signal is stranded on a node that never
 * used it. Answers the signal, or undefined when none is waiting.
 */
export async function consumeSignal(
  db: Queryable,
  take: { runId: string; name: string; node: string; attempt: number; now: Date },
): Promise<SignalRow | undefined> {
  const result = await db.query<SignalRow>(
    `WITH next AS (
       SELECT id FROM run_signals
        WHERE run_id = $1 AND name = $2 AND (consumed_by IS NULL OR (consumed_by = $3 AND consumed_attempt = $4))
        ORDER BY consumed_by IS NULL, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
     )
     UPDATE run_signals s SET consumed_by = $3, consumed_attempt = $4, consumed_at = $5
       FROM next WHERE s.id = next.id AND (s.consumed_by IS NULL OR (s.consumed_by = $3 AND s.consumed_attempt = $4))
     RETURNING s.id, s.name, s.payload, s.sent_by AS "sentBy", s.sent_at AS "sentAt"`,
    [take.runId, take.name, take.node, take.attempt, take.now],
  );
  return result.rows[0];
}
