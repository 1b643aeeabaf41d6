import { TERMINAL_STATUSES } from '../core/status.ts';
import type { RetentionRule } from '../retention/retentionPolicy.ts';
import type { Queryable } from './database.ts';

const TERMINAL = TERMINAL_STATUSES.join(', ');

/**
 * Deletes one batch of finished runs a retention rule covers, and their nodes,
 * their nodes' attempt history, their notifications (with their attempts),
 * their SLA misses, idempotency keys, signals and child-run links in the same
 * statement (none has a foreign key to cascade: see node_runs' run_id, and
 * run_signals', which could not point into a partition retention drops). Small batches, oldest first, rows others hold skipped: each
 * statement locks few rows for a moment, so workers and readers never queue
 * behind retention, and two replicas sweeping at once split the work.
 * Returns how many runs were deleted.
 */
export async function deleteExpiredRuns(db: Queryable, rule: RetentionRule, limit: number): Promise<number> {
  const result = await db.query<{ deleted: number }>(
    `WITH runs AS (
       DELETE FROM workflow_runs WHERE id IN (
         SELECT id FROM workflow_runs
          WHERE status IN (${TERMINAL}) AND end_time < $1
            AND ($2::text IS NULL OR workflow_name = $2)
            AND workflow_name <> ALL($3::text[])
          ORDER BY end_time
          LIMIT $4
          FOR UPDATE SKIP LOCKED
       )
       RETURNING id
     ), nodes AS (
       DELETE FROM node_runs WHERE run_id IN (SELECT id FROM runs)
     ), attempts AS (
       DELETE FROM node_attempts WHERE run_id IN (SELECT id FROM runs)
     ), deliveries AS (
       DELETE FROM notification_deliveries WHERE run_id IN (SELECT id FROM runs) RETURNING id
     ), delivery_attempts AS (
       DELETE FROM notification_attempts WHERE delivery_id IN (SELECT id FROM deliveries)
     ), sla_misses AS (
       DELETE FROM sla_misses WHERE run_id IN (SELECT id FROM runs)
     ), idempotency_keys AS (
       DELETE FROM run_idempotency_keys WHERE run_id IN (SELECT id FROM runs)
     ), signals AS (
       DELETE FROM run_signals WHERE run_id IN (SELECT id FROM runs)
     ), child_links AS (
       DELETE FROM child_runs WHERE parent_run_id IN (SELECT id FROM runs) OR child_run_id IN (SELECT id FROM runs)
     )
     SELECT count(*)::int AS deleted FROM runs`,
    [rule.endedBefore, rule.workflow ?? null, rule.excluded, limit],
  );
  return result.rows[0]!.deleted;
}
