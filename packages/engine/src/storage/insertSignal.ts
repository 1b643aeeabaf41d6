import { TERMINAL_STATUSES } from '../core/status.ts';
import type { Queryable } from './database.ts';
import { statusArraySql } from './statusSql.ts';

/** A signal kept for a run (see schema.ts runSignals). */
export interface SignalRow {
  readonly id: number;
  readonly name: string;
  readonly payload: unknown;
  readonly sentBy: string;
  readonly sentAt: Date;
}

/**
 * Keeps a signal for a live run of the org; answers its id, or undefined when
 * the org has no such run or the run has ended (the caller tells which). The
 * run's org and liveness are part of the INSERT's own condition, so a signal
 * is never kept for a run it may not reach.
 */
export async function insertSignal(
  db: Queryable,
  signal: { runId: string; orgId: string; name: string; payload: unknown; sentBy: string; now: Date },
): Promise<number | undefined> {
  const result = await db.query<{ id: number }>(
    `INSERT INTO run_signals (run_id, name, payload, sent_by, sent_at)
     SELECT r.id, $3, $4::jsonb, $5, $6 FROM workflow_runs r
      WHERE r.id = $1 AND r.org_id = $2 AND r.deleted_at IS NULL AND r.status <> ALL(${statusArraySql(TERMINAL_STATUSES)})
     RETURNING id`,
    [signal.runId, signal.orgId, signal.name, JSON.stringify(signal.payload ?? null), signal.sentBy, signal.now],
  );
  return result.rows[0]?.id;
}
