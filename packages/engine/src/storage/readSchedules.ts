import type { Queryable } from './database.ts';

/** What a definition's spec sets on its schedule's row. */
export interface ScheduleSettings {
  readonly name: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly overlapPolicy: string;
  readonly misfirePolicy: string;
  readonly catchUpMax: number;
  readonly input: Record<string, unknown>;
}

/** A schedule as the API shows it. */
export interface ScheduleRecord extends ScheduleSettings {
  readonly id: number;
  readonly orgId: string;
  readonly workflow: string;
  readonly paused: boolean;
  readonly nextFireTime: Date | null;
  readonly lastRunId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const SCHEDULE_COLUMNS = `s.id, s.org_id AS "orgId", d.name AS workflow, s.name, s.expression, s.time_zone AS "timeZone",
  s.overlap_policy AS "overlapPolicy", s.misfire_policy AS "misfirePolicy", s.catch_up_max AS "catchUpMax", s.input,
  s.paused, s.next_fire_time AS "nextFireTime", s.last_run_id AS "lastRunId", s.created_at AS "createdAt", s.updated_at AS "updatedAt"`;

/** An org's schedules of live definitions, by workflow and name. */
export async function listSchedules(db: Queryable, orgId: string, workflow?: string): Promise<ScheduleRecord[]> {
  const result = await db.query<ScheduleRecord>(
    `SELECT ${SCHEDULE_COLUMNS}
       FROM schedules s JOIN definitions d ON d.id = s.definition_id AND d.deleted_at IS NULL
      WHERE s.org_id = $1 AND ($2::text IS NULL OR d.name = $2)
      ORDER BY d.name, s.name`,
    [orgId, workflow ?? null],
  );
  return result.rows;
}

export async function readSchedule(db: Queryable, orgId: string, id: number): Promise<ScheduleRecord | undefined> {
  const result = await db.query<ScheduleRecord>(
    `SELECT ${SCHEDULE_COLUMNS}
       FROM schedules s JOIN definitions d ON d.id = s.definition_id AND d.deleted_at IS NULL
      WHERE s.org_id = $1 AND s.id = $2`,
    [orgId, id],
  );
  return result.rows[0];
}

/** How many ledger rows a schedule has per outcome: the per-outcome counters, kept where they cannot drift. */
export async function countFirings(db: Queryable, scheduleId: number): Promise<Record<string, number>> {
  const result = await db.query<{ outcome: string; count: number }>(
    `SELECT outcome, count(*)::int AS count FROM schedule_firings WHERE schedule_id = $1 GROUP BY outcome`,
    [scheduleId],
  );
  return Object.fromEntries(result.rows.map((r) => [r.outcome, r.count]));
}
