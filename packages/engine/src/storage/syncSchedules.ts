import type { Queryable } from './database.ts';
import type { ScheduleSettings } from './readSchedules.ts';

export interface ScheduleRowInput extends ScheduleSettings {
  readonly paused: boolean;
  /** the first fire time after now, for a new schedule or a changed expression or zone */
  readonly nextFireTime: Date | undefined;
}

/**
 * Makes a definition's schedule rows match its spec, in one statement: rows
 * the spec no longer names are deleted (their ledger with them), the others
 * upserted by (definition, name). `paused` is taken only by a new row — after
 * that it is runtime state an operator owns — and the cursor is reset only
 * when the expression or zone changed, so re-applying an unchanged spec (every
 * process start does) neither re-arms nor forgets anything.
 */
export async function syncSchedules(
  db: Queryable,
  definition: { readonly id: number; readonly orgId: string },
  rows: readonly ScheduleRowInput[],
  now: Date,
): Promise<void> {
  await db.query(
    `WITH wanted AS (
       SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::jsonb[], $10::bool[], $11::timestamptz[])
         AS w(name, expression, time_zone, overlap_policy, misfire_policy, catch_up_max, input, paused, next_fire_time)
     ), removed AS (
       DELETE FROM schedules s WHERE s.definition_id = $1 AND s.name <> ALL($3::text[])
     )
     INSERT INTO schedules AS s
       (definition_id, org_id, name, expression, time_zone, overlap_policy, misfire_policy, catch_up_max, input, paused,
        next_fire_time, created_at, updated_at)
     SELECT $1, $2, w.name, w.expression, w.time_zone, w.overlap_policy, w.misfire_policy, w.catch_up_max, w.input, w.paused,
            w.next_fire_time, $12, $12
       FROM wanted w
     ON CONFLICT (definition_id, name) DO UPDATE SET
       overlap_policy = EXCLUDED.overlap_policy,
       misfire_policy = EXCLUDED.misfire_policy,
       catch_up_max = EXCLUDED.catch_up_max,
       input = EXCLUDED.input,
       expression = EXCLUDED.expression,
       time_zone = EXCLUDED.time_zone,
       next_fire_time = CASE WHEN (s.expression, s.time_zone) IS DISTINCT FROM (EXCLUDED.expression, EXCLUDED.time_zone)
                             THEN EXCLUDED.next_fire_time ELSE s.next_fire_time END,
       updated_at = EXCLUDED.updated_at
     WHERE (s.expression, s.time_zone, s.overlap_policy, s.misfire_policy, s.catch_up_max, s.input)
           IS DISTINCT FROM (EXCLUDED.expression, EXCLUDED.time_zone, EXCLUDED.overlap_policy, EXCLUDED.misfire_policy,
                             EXCLUDED.catch_up_max, EXCLUDED.input)`,
    [
      definition.id,
      definition.orgId,
      rows.map((r) => r.name),
      rows.map((r) => r.expression),
      rows.map((r) => r.timeZone),
      rows.map((r) => r.overlapPolicy),
      rows.map((r) => r.misfirePolicy),
      rows.map((r) => r.catchUpMax),
      rows.map((r) => JSON.stringify(r.input)),
      rows.map((r) => r.paused),
      rows.map((r) => r.nextFireTime ?? null),
      now,
    ],
  );
}
