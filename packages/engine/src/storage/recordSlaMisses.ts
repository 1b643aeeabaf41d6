import { TERMINAL_STATUSES } from '../core/status.ts';
import type { Queryable } from './database.ts';

/** The terminal statuses as the partial indexes on workflow_runs spell them, so their predicates are proved and the indexes used. */
const TERMINAL_LIST = `(${TERMINAL_STATUSES.join(', ')})`;

/** Runs that ended this long ago are still looked at for a late end the sweep had not yet seen. */
const ENDED_LOOKBACK_MS = 10 * 60_000;

/**
 * The SLA sweep, in one statement: runs of definitions with an SLA (the
 * schedule's own for a run it started, else the definition's) that are still
 * going past their deadline, or ended after it, and have no miss recorded
 * yet, get one (`sla_misses`, keyed by run: once per run) — and, in the same
 * statement, one outbox row per webhook of the run's org listening for SLA_MISSED. The run
 * itself is not touched. Live runs are found through their partial index,
 * recently ended ones through the ended index; at most `limit` per sweep.
 * Answers the misses recorded, for the metrics.
 */
export async function recordSlaMisses(db: Queryable, now: Date, limit: number): Promise<{ workflow: string }[]> {
  const result = await db.query<{ workflow: string }>(
    `WITH runs AS (
       SELECT id, org_id, workflow_name, definition_id, trigger_type, created_at, end_time FROM workflow_runs
        WHERE status NOT IN ${TERMINAL_LIST} AND definition_id IN (SELECT definition_id FROM sla_policies)
       UNION ALL
       SELECT id, org_id, workflow_name, definition_id, trigger_type, created_at, end_time FROM workflow_runs
        WHERE status IN ${TERMINAL_LIST} AND end_time > $1::timestamptz - make_interval(secs => $3 / 1000.0)
          AND definition_id IN (SELECT definition_id FROM sla_policies)
     ), due AS (
       SELECT r.id, r.org_id, r.workflow_name, r.definition_id, sched.schedule_id,
              r.created_at + make_interval(secs => COALESCE(sched.finish_within_ms, own.finish_within_ms) / 1000.0) AS deadline, r.end_time
         FROM runs r
         LEFT JOIN sla_policies own ON own.definition_id = r.definition_id AND own.schedule_name = ''
         LEFT JOIN LATERAL (
           SELECT f.schedule_id, p.finish_within_ms FROM schedule_firings f LEFT JOIN sla_policies p ON p.schedule_id = f.schedule_id
            WHERE f.run_id = r.id AND r.trigger_type = 1 LIMIT 1
         ) sched ON true
        WHERE COALESCE(sched.finish_within_ms, own.finish_within_ms) IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM sla_misses m WHERE m.run_id = r.id)
     ), missed AS (
       INSERT INTO sla_misses (run_id, org_id, workflow_name, deadline, detected_at)
       SELECT id, org_id, workflow_name, deadline, $1 FROM due
        WHERE deadline <= $1 AND (end_time IS NULL OR end_time > deadline)
        LIMIT $2
       ON CONFLICT (run_id) DO NOTHING
       RETURNING run_id, org_id, workflow_name, deadline
     ), told AS (
       INSERT INTO notification_deliveries (webhook_id, org_id, run_id, event, occurred_at, url, next_attempt_at, created_at)
       SELECT h.id, m.org_id, m.run_id, 'SLA_MISSED', m.deadline, h.url, $1, $1
         FROM missed m
         JOIN due d ON d.id = m.run_id
         JOIN notification_webhooks h ON h.definition_id = d.definition_id AND h.org_id = m.org_id AND 'SLA_MISSED' = ANY (h.events)
              AND (h.schedule_name = '' OR h.schedule_id = d.schedule_id)
       ON CONFLICT (webhook_id, run_id, event, occurred_at) DO NOTHING
     )
     SELECT workflow_name AS workflow FROM missed`,
    [now, limit, ENDED_LOOKBACK_MS],
  );
  return result.rows;
}
