import type { Queryable } from './database.ts';
import { RUN_COLUMNS, toRunRecord, type RunRecord } from './readRun.ts';

/** Every UTC offset in use lies within ±14 h. */
const WINDOW_MS = 15 * 3_600_000;

/**
 * The run of a definition whose instance stamp reads `compactStamp`
 * (`yyyyMMddHHmmss`) as a wall clock in `timeZone`: how an EnOS instance id
 * `<flowId>-<stamp>` is looked up. The stamp is local time, so the index range
 * is the ±15 h around it read as UTC (every zone offset lies within it) and
 * to_char picks the exact match, DST transitions included.
 */
export async function findRunByInstanceStamp(
  db: Queryable,
  orgId: string,
  definitionId: number,
  compactStamp: string,
  timeZone: string,
): Promise<RunRecord | undefined> {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(compactStamp);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(asUtc)) return undefined;
  const result = await db.query(
    `SELECT ${RUN_COLUMNS} FROM workflow_runs
      WHERE definition_id = $1 AND org_id = $2 AND deleted_at IS NULL
        AND instance_stamp BETWEEN $5 AND $6
        AND to_char(instance_stamp AT TIME ZONE $4, 'YYYYMMDDHH24MISS') = $3`,
    [definitionId, orgId, compactStamp, timeZone, new Date(asUtc - WINDOW_MS), new Date(asUtc + WINDOW_MS)],
  );
  const row = result.rows[0];
  return row ? toRunRecord(row) : undefined;
}

/** The instance stamps of runs, by run uuid. */
export async function readInstanceStamps(db: Queryable, runUuids: readonly string[]): Promise<Map<string, Date | null>> {
  const result = await db.query<{ id: string; instance_stamp: Date | null }>(
    `SELECT id, instance_stamp FROM workflow_runs WHERE id = ANY($1::uuid[])`,
    [runUuids],
  );
  return new Map(result.rows.map((r) => [r.id, r.instance_stamp]));
}
