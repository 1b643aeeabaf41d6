import type { Queryable } from './database.ts';

/** An SLA a spec declares: the definition's own (scheduleName '') or a schedule's. */
export interface WantedSla {
  readonly scheduleName: string;
  readonly finishWithinMs: number;
}

/** Makes a definition's SLA policies match its spec, in one statement (after the schedules are synced). */
export async function syncSlaPolicies(db: Queryable, definitionId: number, wanted: readonly WantedSla[]): Promise<void> {
  await db.query(
    `WITH wanted AS (
       SELECT * FROM json_to_recordset($2::json) AS w("scheduleName" text, "finishWithinMs" bigint)
     ), removed AS (
       DELETE FROM sla_policies p
        WHERE p.definition_id = $1 AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w."scheduleName" = p.schedule_name)
     )
     INSERT INTO sla_policies AS p (definition_id, schedule_name, schedule_id, finish_within_ms)
     SELECT $1, w."scheduleName",
            (SELECT s.id FROM schedules s WHERE s.definition_id = $1 AND s.name = w."scheduleName" AND w."scheduleName" <> ''),
            w."finishWithinMs"
       FROM wanted w
     ON CONFLICT (definition_id, schedule_name) DO UPDATE SET finish_within_ms = EXCLUDED.finish_within_ms, schedule_id = EXCLUDED.schedule_id`,
    [definitionId, JSON.stringify(wanted)],
  );
}
