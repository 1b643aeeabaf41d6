import type { Queryable } from './database.ts';

const JOIN_MAP_OUTPUTS = `UPDATE node_runs n
     SET output = (SELECT COALESCE(jsonb_agg(COALESCE(e.output, 'null'::jsonb) ORDER BY e.position), '[]'::jsonb)
                     FROM node_runs e WHERE e.run_id = x."runId" AND starts_with(e.name, x.map || '['))
    FROM json_to_recordset($1::json) AS x("runId" uuid, map text)
   WHERE n.run_id = x."runId" AND n.name = x.map`;

/**
 * Stores each map's output as its elements' outputs in index order (a
 * skipped element's as null): the JOIN_ELEMENTS of a decision that ended the
 * map, run after its write, which may just have stored the last element's
 * output. A map's children are claimed after commit (never at release), so
 * they read the joined list.
 */
export async function joinMapOutputs(db: Queryable, maps: readonly { readonly runId: string; readonly map: string }[]): Promise<void> {
  if (maps.length === 0) return;
  await db.query({ name: 'join-map-outputs', text: JOIN_MAP_OUTPUTS, values: [JSON.stringify(maps)] });
}
