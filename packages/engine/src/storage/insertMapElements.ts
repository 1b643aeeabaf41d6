import { Status } from '../core/status.ts';
import { StaleDecision } from './applyCommands.ts';
import type { Queryable } from './database.ts';

/** The elements of one map reached by a decision (the ADD_ELEMENTS command, with where its list and positions are). */
export interface MapElementsInsert {
  readonly runId: string;
  readonly map: string;
  /** the parent whose output holds the list, and the keys to it (core/mapSpec.ts) */
  readonly source: string;
  readonly path: readonly string[];
  readonly count: number;
  /** elements `[0, started)` are written `startedAs`, the rest WAIT */
  readonly started: number;
  readonly startedAs: Status;
  /** element i's position is `firstPosition + i` (core/mapElements.ts, elementPosition) */
  readonly firstPosition: number;
  /** the run's decisionSeq after the decision that reached the map: the elements' decided_seq */
  readonly seq: number;
}

const INSERT_MAP_ELEMENTS = `INSERT INTO node_runs (id, run_id, name, type, position, status, parameters, item, updated_at, decided_seq)
  SELECT gen_random_uuid(), x."runId", x.map || '[' || i || ']', m.type, x."firstPosition" + i,
         CASE WHEN i < x.started THEN x."startedAs" ELSE ${Status.WAIT} END, m.parameters, (s.output #> x.path) -> i, $1::timestamptz, x.seq
    FROM json_to_recordset($2::json) AS x("runId" uuid, map text, source text, path text[], count int, started int, "startedAs" smallint, "firstPosition" int, seq int)
    CROSS JOIN LATERAL (SELECT type, parameters FROM node_runs WHERE run_id = x."runId" AND name = x.map OFFSET 0) AS m
    CROSS JOIN LATERAL (SELECT output FROM node_runs WHERE run_id = x."runId" AND name = x.source OFFSET 0) AS s
    CROSS JOIN generate_series(0, x.count - 1) AS i`;

/**
 * Writes the element rows of maps a decision reached, in one statement:
 * each runs as its map (type, parameters) and holds its item, copied here
 * from the list in its source's output — which the decision's own write
 * (applyCommands, before this in the same transaction) may just have stored.
 * A map whose row or source row is missing writes fewer rows than decided:
 * the decision is stale, and the transaction is undone.
 */
export async function insertMapElements(db: Queryable, inserts: readonly MapElementsInsert[], now: Date): Promise<void> {
  if (inserts.length === 0) return;
  const result = await db.query({ name: 'insert-map-elements', text: INSERT_MAP_ELEMENTS, values: [now, JSON.stringify(inserts)] });
  const expected = inserts.reduce((sum, insert) => sum + insert.count, 0);
  if (result.rowCount !== expected) throw new StaleDecision(`${result.rowCount ?? 0} of ${expected} map element rows written`);
}
