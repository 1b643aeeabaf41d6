/**
 * Golden comparison of a response with a vendor's documented sample: the same
 * keys in the same order, the same JSON types, and every string in the same
 * format as the sample's (times, ids), recursively; values may differ. Arrays
 * compare each actual element with the sample's first. Fields named in
 * `jsonText` hold JSON as text (EnOS graph): they are parsed and compared too.
 * Returns the differences, so a failing test names every one of them.
 */
export function shapeDifferences(actual: unknown, sample: unknown, options: { jsonText?: readonly string[] } = {}): string[] {
  const problems: string[] = [];
  walk(actual, sample, '$', options.jsonText ?? [], problems);
  return problems;
}

/** String formats a sample value can have; an actual value must have the sample's. */
export const FORMATS: readonly (readonly [string, RegExp])[] = [
  ['go zero time', /^0001-01-01T00:00:00Z$/],
  ['RFC3339 with fraction and offset', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/],
  ['yyyy-MM-dd HH:mm:ss.S', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{1,9}$/],
  ['yyyy-MM-dd HH:mm:ss', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/],
  ['<id>-<yyyyMMddHHmmss>', /^\d+-\d{14}$/],
  ['t_<id>', /^t_\d+$/],
  ['22-char base64url id', /^[A-Za-z0-9_-]{22}$/],
  ['quartz expression', /^\S+( \S+){5,6}$/],
];

function formatOf(text: string): string | undefined {
  return FORMATS.find(([, pattern]) => pattern.test(text))?.[0];
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function walk(actual: unknown, sample: unknown, path: string, jsonText: readonly string[], problems: string[]): void {
  const [a, s] = [typeOf(actual), typeOf(sample)];
  if (a !== s) {
    problems.push(`${path}: ${a} where the sample has ${s}`);
    return;
  }
  if (s === 'string') {
    const key = path.slice(path.lastIndexOf('.') + 1);
    if (jsonText.includes(key)) {
      walk(JSON.parse(actual as string), JSON.parse(sample as string), `${path}<json>`, jsonText, problems);
      return;
    }
    const format = formatOf(sample as string);
    if (format && formatOf(actual as string) !== format) problems.push(`${path}: ${JSON.stringify(actual)} is not ${format} like the sample's ${JSON.stringify(sample)}`);
    return;
  }
  if (s === 'array') {
    const [sa, aa] = [sample as unknown[], actual as unknown[]];
    if (sa.length === 0) return;
    if (aa.length === 0) problems.push(`${path}: empty where the sample has elements`);
    aa.forEach((element, i) => walk(element, sa[0], `${path}[${i}]`, jsonText, problems));
    return;
  }
  if (s === 'object') {
    const [ak, sk] = [Object.keys(actual as object), Object.keys(sample as object)];
    if (ak.join(',') !== sk.join(',')) problems.push(`${path}: keys [${ak.join(', ')}] where the sample has [${sk.join(', ')}]`);
    for (const key of sk) {
      if (key in (actual as object)) walk((actual as Record<string, unknown>)[key], (sample as Record<string, unknown>)[key], `${path}.${key}`, jsonText, problems);
    }
  }
}
