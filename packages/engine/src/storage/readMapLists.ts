import type { Dag } from '../core/dag.ts';
import { mapListOf, type JsonKind, type MapList } from '../core/mapSpec.ts';
import { Status } from '../core/status.ts';
import type { Queryable } from './database.ts';

const READ_MAP_LISTS = `SELECT m.map, jsonb_typeof(s.list) AS kind, CASE WHEN jsonb_typeof(s.list) = 'array' THEN jsonb_array_length(s.list) END AS length
    FROM json_to_recordset($2::json) AS m(map text, source text, path text[])
    CROSS JOIN LATERAL (SELECT output #> m.path AS list FROM node_runs WHERE run_id = $1 AND name = m.source AND status = ${Status.SUCCESS} OFFSET 0) AS s`;

/**
 * The lists of the run's maps `names` whose source has succeeded, as its stored
 * outputs hold them (core/mapSpec.ts, mapListOf: the same rule as for a
 * reported output): read with every whole state of a run with maps, for a
 * map reached or rerun by a decision in which its source did not report.
 * Only each list's kind and length are read, never the list.
 */
export async function readMapLists(db: Queryable, runId: string, dag: Dag, names: readonly string[]): Promise<Map<string, MapList>> {
  if (names.length === 0) return new Map();
  const maps = names.map((map) => ({ map, source: dag.maps.get(map)!.source, path: dag.maps.get(map)!.path }));
  const result = await db.query<{ map: string; kind: JsonKind | null; length: number | null }>({
    name: 'read-map-lists',
    text: READ_MAP_LISTS,
    values: [runId, JSON.stringify(maps)],
  });
  return new Map(result.rows.map(({ map, kind, length }) => [map, mapListOf(dag.maps.get(map)!.over, kind ?? undefined, length ?? undefined)]));
}
