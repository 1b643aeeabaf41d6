import type pg from 'pg';
import { TERMINAL_STATUSES } from '../core/status.ts';
import type { ScheduleRecord } from './readSchedules.ts';

/** A schedule locked by this replica's transaction, with what its firing decision needs. */
export interface ClaimedSchedule extends Omit<ScheduleRecord, 'paused' | 'createdAt' | 'updatedAt'> {
  readonly lastRunLive: boolean;
  readonly queuedCount: number;
  readonly oldestQueuedId: number | null;
}

/**
 * Locks one schedule that needs a decision — a fire time is due, or a queued
 * firing can start because the previous run ended — and skips schedules other
 * replicas hold (SKIP LOCKED): replicas share the work without a leader, and
 * a replica that dies mid-decision releases its lock with its connection.
 */
export async function claimSchedule(client: pg.PoolClient, now: Date): Promise<ClaimedSchedule | undefined> {
  const result = await client.query<ClaimedSchedule>(
    `SELECT s.id, s.org_id AS "orgId", d.name AS workflow, s.name, s.expression, s.time_zone AS "timeZone",
            s.overlap_policy AS "overlapPolicy", s.misfire_policy AS "misfirePolicy", s.catch_up_max AS "catchUpMax",
            s.input, s.next_fire_time AS "nextFireTime", s.last_run_id AS "lastRunId",
            (r.status IS NOT NULL AND r.status <> ALL($2::smallint[])) AS "lastRunLive",
            (SELECT count(*)::int FROM schedule_firings f WHERE f.schedule_id = s.id AND f.outcome = 'QUEUED') AS "queuedCount",
            q.id AS "oldestQueuedId"
       FROM schedules s
       JOIN definitions d ON d.id = s.definition_id AND d.deleted_at IS NULL
       LEFT JOIN workflow_runs r ON r.id = s.last_run_id
       LEFT JOIN LATERAL (
         SELECT f.id FROM schedule_firings f WHERE f.schedule_id = s.id AND f.outcome = 'QUEUED' ORDER BY f.fire_time LIMIT 1
       ) q ON true
      WHERE NOT s.paused
        AND (s.next_fire_time <= $1 OR (q.id IS NOT NULL AND (r.status IS NULL OR r.status = ANY($2::smallint[]))))
      ORDER BY s.next_fire_time
      LIMIT 1
      FOR UPDATE OF s SKIP LOCKED`,
    [now, TERMINAL_STATUSES],
  );
  return result.rows[0];
}
