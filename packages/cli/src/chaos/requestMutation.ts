import type { Baseline } from './routeBaselines.ts';
import { encodeLoose } from './hostileInput.ts';

/** One place in a baseline request a hostile value can go. */
type Slot =
  | { readonly part: 'param'; readonly key: string }
  | { readonly part: 'query'; readonly key: string }
  | { readonly part: 'extraQuery' }
  | { readonly part: 'body'; readonly path: readonly (string | number)[]; readonly object: boolean }
  | { readonly part: 'queryJson'; readonly key: string; readonly path: readonly (string | number)[]; readonly object: boolean };

/** The hostile values one mutation may use; which it uses depends on the slot. */
export interface Hostile {
  readonly text: string;
  /** JSON text */
  readonly json: string;
  /** put JSON (not a string) where a string was, or replace an object rather than add a key to it */
  readonly preferJson: boolean;
  /** the key added to an object */
  readonly key: string;
}

/** The request as sent: path, query pairs (as generated, for signing) and body text. */
export interface MutatedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: [string, string][];
  readonly search: string;
  readonly payload: string | undefined;
}

const MARK = '__flowline_fuzz_mark__';
const MARK_KEY = '__flowline_fuzz_key__';

/** Every node of a JSON value (objects, arrays, leaves), by path. */
function nodesOf(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; object: boolean }[] {
  const object = value !== null && typeof value === 'object';
  const here = [{ path, object }];
  if (!object) return here;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [...here, ...entries.flatMap(([k, v]) => nodesOf(v, [...path, k]))];
}

const jsonObject = (text: string): unknown => {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/** Every slot of a baseline: each path parameter, query value and JSON node, and one extra query pair. */
export function slotsOf(baseline: Baseline): Slot[] {
  const slots: Slot[] = Object.keys(baseline.params ?? {}).map((key) => ({ part: 'param', key }));
  for (const [key, value] of Object.entries(baseline.query ?? {})) {
    slots.push({ part: 'query', key });
    const json = jsonObject(value);
    if (json !== undefined) slots.push(...nodesOf(json).map((n) => ({ part: 'queryJson' as const, key, ...n })));
  }
  slots.push({ part: 'extraQuery' });
  if (baseline.body !== undefined) slots.push(...nodesOf(baseline.body).map((n) => ({ part: 'body' as const, ...n })));
  return slots;
}

/** `value` with the node at `path` replaced (or, for an object, given one more key), as JSON text. */
function mutateJson(value: unknown, path: readonly (string | number)[], object: boolean, hostile: Hostile): string {
  const copy: unknown = structuredClone(value);
  const addKey = object && !hostile.preferJson;
  if (path.length === 0) {
    if (!addKey) return hostile.json;
    (copy as Record<string, unknown>)[MARK_KEY] = MARK;
  } else {
    const parent = path.slice(0, -1).reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (addKey) (parent[last] as Record<string, unknown>)[MARK_KEY] = MARK;
    else parent[last] = MARK;
  }
  const text = JSON.stringify(copy);
  // replacer functions: hostile text may hold `$&`, which a replacement string would expand
  if (addKey) return text.replace(`"${MARK_KEY}":"${MARK}"`, () => `${JSON.stringify(hostile.key)}:${hostile.json}`);
  // a string's place takes a hostile string, unless JSON is preferred there
  return text.replace(`"${MARK}"`, () => (hostile.preferJson || object ? hostile.json : JSON.stringify(hostile.text)));
}

/** The baseline with one slot made hostile. */
export function mutate(baseline: Baseline, slot: Slot, hostile: Hostile): MutatedRequest {
  const params = { ...baseline.params };
  const query: [string, string][] = Object.entries(baseline.query ?? {});
  let payload = baseline.body === undefined ? undefined : JSON.stringify(baseline.body);
  switch (slot.part) {
    case 'param':
      params[slot.key] = hostile.text;
      break;
    case 'query':
      query.find(([k]) => k === slot.key)![1] = hostile.preferJson ? hostile.json : hostile.text;
      break;
    case 'queryJson': {
      const entry = query.find(([k]) => k === slot.key)!;
      entry[1] = mutateJson(JSON.parse(entry[1]), slot.path, slot.object, hostile);
      break;
    }
    case 'extraQuery':
      query.push([hostile.key, hostile.text]);
      break;
    case 'body':
      payload = mutateJson(baseline.body, slot.path, slot.object, hostile);
      break;
  }
  // A parameter follows a slash: the colon of a custom method (`/v1/runs:cancel`) is part of the path.
  const path = baseline.url.replace(/(?<=\/):([A-Za-z]+)/g, (_m, name: string) => encodeLoose(params[name] ?? ''));
  const search = query.length ? `?${query.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join('&')}` : '';
  return { method: baseline.method, path, query, search, payload };
}
