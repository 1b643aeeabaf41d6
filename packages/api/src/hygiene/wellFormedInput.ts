import { MAX_JSON_DEPTH } from './jsonDepth.ts';

/**
 * UTF-16 surrogates without their other half, which jsonb refuses and UTF-8
 * cannot encode; with U+0000, which Postgres stores in neither text nor jsonb,
 * they reached Postgres from a filter, a name or an input as a 500.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Keys that address an object's prototype rather than a field; no API of flowline's has such a field. */
const PROTOTYPE_KEYS = new Set(['__proto__']);

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'holds a NUL character (U+0000)';
  return LONE_SURROGATE.test(text) ? 'holds a lone UTF-16 surrogate' : undefined;
}

const shown = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

/**
 * The first thing in a request part (`where`: query, params, body) that no
 * surface accepts: a string or key that cannot be stored, a `__proto__` key, or
 * nesting past MAX_JSON_DEPTH. Walked with an explicit stack, so a deep value
 * cannot overflow this check either. Undefined when the value is clean.
 */
export function inputProblem(value: unknown, where: string): string | undefined {
  const stack: [unknown, string, number][] = [[value, where, 0]];
  while (stack.length > 0) {
    const [item, path, depth] = stack.pop()!;
    if (typeof item === 'string') {
      const problem = textProblem(item);
      if (problem) return `${shown(path)} ${problem}`;
      continue;
    }
    if (item === null || typeof item !== 'object' || Buffer.isBuffer(item)) continue;
    if (depth > MAX_JSON_DEPTH) return `${shown(path)} nests deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(item)) {
      const problem = textProblem(key) ?? (PROTOTYPE_KEYS.has(key) ? 'is a prototype key' : undefined);
      if (problem) return `${shown(path)}: a key ${problem}`;
      stack.push([child, `${path}.${key}`, depth + 1]);
    }
  }
  return undefined;
}
