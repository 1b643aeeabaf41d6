import type { Queryable } from './database.ts';

/**
 * The first cron expression declared in each of the given definition versions
 * (`spec.schedules[0].expression`), keyed `<definitionId>:<version>`; versions
 * without one are absent. One query for a whole page of runs: what EnOS shows
 * as an instance's `freq`. Reads the pinned version's spec, so a run shows the
 * schedule it was started under, not a later edit.
 */
export async function readScheduleExpressions(
  db: Queryable,
  versions: readonly { readonly definitionId: number; readonly version: number }[],
): Promise<Map<string, string>> {
  if (versions.length === 0) return new Map();
  const result = await db.query<{ definitionId: number; version: number; expression: string }>(
    `SELECT v.definition_id AS "definitionId", v.version, v.spec #>> '{schedules,0,expression}' AS expression
       FROM definition_versions v
       JOIN unnest($1::bigint[], $2::int[]) AS wanted(definition_id, version)
         ON v.definition_id = wanted.definition_id AND v.version = wanted.version
      WHERE v.spec #>> '{schedules,0,expression}' IS NOT NULL`,
    [versions.map((v) => v.definitionId), versions.map((v) => v.version)],
  );
  return new Map(result.rows.map((r) => [`${r.definitionId}:${r.version}`, r.expression]));
}
