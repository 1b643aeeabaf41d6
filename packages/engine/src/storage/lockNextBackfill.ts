import type { BackfillRecord } from '../backfill/backfill.ts';
import { BACKFILL_COLUMNS } from './backfillColumns.ts';
import type { Queryable } from './database.ts';

/** A backfill locked for a batch, with its schedule as the batch needs it. */
export interface LockedBackfill extends BackfillRecord {
  readonly workflow: string;
  readonly definitionDeleted: boolean;
  readonly scheduleName: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly input: Record<string, unknown>;
  readonly paused: boolean;
  readonly nextFireTime: Date | null;
}

/**
 * Locks the running backfill least recently advanced, and its schedule's
 * row, both skipped when another process holds either: no two processes
 * work one backfill, and none works it while a scheduler replica decides
 * that schedule — so the schedule's cursor read here is where the live
 * firings stand until this transaction commits.
 */
export async function lockNextBackfill(client: Queryable): Promise<LockedBackfill | undefined> {
  const result = await client.query<LockedBackfill>(
    `SELECT ${BACKFILL_COLUMNS}, d.name AS workflow, d.deleted_at IS NOT NULL AS "definitionDeleted", s.name AS "scheduleName",
            s.expression, s.time_zone AS "timeZone", s.input, s.paused, s.next_fire_time AS "nextFireTime"
       FROM backfills b
       JOIN schedules s ON s.id = b.schedule_id
       JOIN definitions d ON d.id = s.definition_id
      WHERE b.status = 'RUNNING'
      ORDER BY b.updated_at
      LIMIT 1
      FOR UPDATE OF b, s SKIP LOCKED`,
  );
  return result.rows[0];
}
