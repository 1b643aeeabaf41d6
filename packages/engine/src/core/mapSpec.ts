import { z } from 'zod';

/**
 * # Map fan-out
 *
 * A node that declares `map: { over: "<parent>.<path>" }` runs once per
 * element of the list found at that path in its parent's output, decided when
 * the node is reached (its parents satisfied): the list's length comes from
 * the parent's reported output (the success that reaches the map) or from
 * its stored row (any later decision, see storage/readMapLists.ts). Each
 * element is a node row of its own, `<node>[<index>]` (core/mapElements.ts);
 * the map's own row is RUNNING while they run and ends when they all have:
 * SUCCESS with their outputs joined in order, or the first failure.
 */

/** The most elements a map may have: a longer list fails the map node, naming its length. */
export const MAX_MAP_ITEMS = 10_000;

/** A path segment: an object key (identifier characters) or a list index. */
const SEGMENT = '[A-Za-z_][A-Za-z0-9_]*|[0-9]+';
const OVER_PATTERN = new RegExp(`^[A-Za-z_][A-Za-z0-9_]{0,127}(\\.(${SEGMENT})){0,16}$`);

/** The zod schema of a node's `map` option (see MapSpec). */
export const MapSpecSchema = z
  .object({
    over: z
      .string()
      .regex(OVER_PATTERN, 'over is "<parent>" or "<parent>.<key>.<key>…": a parent node, then keys (identifiers) or list indexes')
      .describe('where the list is: a parent node, then the path to a list in its output ("list_clusters.clusters")'),
    maxConcurrency: z.number().int().min(1).max(MAX_MAP_ITEMS).optional().describe('at most this many elements run at once; by default all of them'),
  })
  .strict();

/** A node's `map` option: the list it runs once per element of, and how many elements may run at once. */
export type MapSpec = z.output<typeof MapSpecSchema>;

/** A map's `over`, split: the parent whose output holds the list, and the keys to it. */
export interface MapOver {
  readonly source: string;
  readonly path: readonly string[];
}

/** Splits a map's `over` into its source node and the keys to the list. */
export function parseOver(over: string): MapOver {
  const [source, ...path] = over.split('.');
  return { source: source!, path };
}

/** What a map is over, when known: the list's length, or why there is no list to map over. */
export type MapList = { readonly length: number } | { readonly error: string };

/** The JSON kinds, named as Postgres's jsonb_typeof names them (both readers of a list agree through these). */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/**
 * The list a map has, from what its `over` path holds in the parent's output:
 * its kind (undefined: the path leads nowhere) and, for a list, its length.
 * The one rule for both readers: the reported output (listAt) and the stored
 * one (storage/readMapLists.ts, which asks Postgres for the same two facts).
 */
export function mapListOf(over: string, kind: JsonKind | undefined, length: number | undefined): MapList {
  if (kind !== 'array') return { error: `map over ${over}: ${kind === undefined ? 'nothing is there' : `a ${kind} is there`}, not a list` };
  if (length! > MAX_MAP_ITEMS) return { error: `map over ${over}: a list of ${length} elements, more than the ${MAX_MAP_ITEMS} a map may have` };
  return { length: length! };
}

/** The list at `path` in an output as it was reported (see mapListOf): keys into objects, indexes into lists, as Postgres's `#>` reads them. */
export function listAt(over: string, output: unknown, path: readonly string[]): MapList {
  let value: unknown = output;
  for (const key of path) {
    if (Array.isArray(value)) value = /^[0-9]+$/.test(key) ? value[Number(key)] : undefined;
    else if (value !== null && typeof value === 'object') value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    else value = undefined;
    if (value === undefined) break;
  }
  return mapListOf(over, jsonKind(value), Array.isArray(value) ? value.length : undefined);
}

function jsonKind(value: unknown): JsonKind | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'object' || type === 'string' || type === 'number' || type === 'boolean' ? type : undefined;
}
