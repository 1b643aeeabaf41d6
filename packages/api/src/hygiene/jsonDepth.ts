/**
 * How deep a JSON document may nest. Workflow specs, inputs and filters need a
 * handful of levels; the bound keeps a document of a few KB and thousands of
 * levels from reaching the recursive parts downstream (Postgres' jsonb parser
 * answers "stack depth limit exceeded", a 500) — it is checked on the text,
 * before any parser recurses.
 */
export const MAX_JSON_DEPTH = 64;

/** Why `text`, read as JSON, nests too deeply; undefined when it does not. One pass, no recursion, strings skipped. */
export function jsonDepthProblem(text: string, max = MAX_JSON_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return `the JSON nests deeper than ${max} levels`;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return undefined;
}
