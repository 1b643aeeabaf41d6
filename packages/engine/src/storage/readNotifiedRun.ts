import type { Queryable } from './database.ts';

/** What an event says about its run: the run, its first failed node, the schedule that started it, its SLA. */
export interface NotifiedRun {
  readonly id: string;
  readonly workflow: string;
  readonly orgId: string;
  readonly status: number;
  readonly bizId: string;
  readonly bizType: string;
  readonly triggerType: number;
  readonly triggerTime: Date;
  readonly createdAt: Date;
  readonly startTime: Date | null;
  readonly endTime: Date | null;
  readonly failedNode: { name: string; type: string; attempt: number; status: number; error: string | null } | null;
  readonly schedule: { id: number; name: string } | null;
  /** the SLA it missed, when it missed one */
  readonly slaMs: number | null;
}

/** A run as its notifications describe it, in one statement; undefined when the run is gone. */
export async function readNotifiedRun(db: Queryable, runId: string): Promise<NotifiedRun | undefined> {
  const result = await db.query<NotifiedRun>(
    `SELECT r.id, r.workflow_name AS workflow, r.org_id AS "orgId", r.status, r.biz_id AS "bizId", r.biz_type AS "bizType",
            r.trigger_type AS "triggerType", r.trigger_time AS "triggerTime", r.created_at AS "createdAt",
            r.start_time AS "startTime", r.end_time AS "endTime",
            (SELECT json_build_object('name', n.name, 'type', n.type, 'attempt', n.attempt, 'status', n.status, 'error', n.error)
               FROM node_runs n WHERE n.run_id = r.id AND n.status IN (-1, 4, 7)
              ORDER BY n.ended_at NULLS LAST, n.position LIMIT 1) AS "failedNode",
            (SELECT json_build_object('id', s.id, 'name', s.name)
               FROM schedule_firings f JOIN schedules s ON s.id = f.schedule_id WHERE f.run_id = r.id LIMIT 1) AS schedule,
            (SELECT extract(epoch FROM m.deadline - r.created_at) * 1000 FROM sla_misses m WHERE m.run_id = r.id)::bigint AS "slaMs"
       FROM workflow_runs r WHERE r.id = $1`,
    [runId],
  );
  return result.rows[0];
}
