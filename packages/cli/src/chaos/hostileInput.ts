import fc from 'fast-check';

/**
 * What a hostile client puts in every string and object of a request: the
 * inputs issue 21 found answered with 500s — NUL, UTF-16 surrogates without
 * their other half, JSON nested thousands of levels, and keys that name an
 * object's prototype machinery instead of a field.
 */

/** Keys every plain object answers without owning them, and the ones that reach its prototype. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'] as const;

const POISON = ['\u0000', '\uD800', '\uDFFF', '\uDBFF\uDBFF', '\u0000\uD800'] as const;

/** Any string with NUL or a lone surrogate put at a random place (often), or left as it is. */
const poisoned = fc
  .tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...POISON), fc.nat())
  .map(([text, poison, at]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + poison + text.slice(i);
  });

/** A hostile string: poisoned, a prototype key, or one of the classic probes. */
export const hostileString = fc.oneof(
  { arbitrary: poisoned, weight: 3 },
  { arbitrary: fc.constantFrom(...PROTOTYPE_KEYS), weight: 1 },
  { arbitrary: fc.string(), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 50 }), weight: 1 },
  {
    arbitrary: fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', 'null', '[]', '{}', '%', '%zz', '../../etc/passwd', 'A'.repeat(5000), '🙂', "' OR 1=1 --", 'Running', 'i00000000000000000000000000000000'),
    weight: 1,
  },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.double().map(String), weight: 1 },
);

/**
 * Percent-encodes for a URL, lone surrogates included (as the CESU-8 bytes a
 * careless client sends, `%ED%A0%80`): encodeURIComponent refuses them.
 */
export function encodeLoose(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    out +=
      code >= 0xd800 && code <= 0xdfff
        ? `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase()
        : encodeURIComponent(char);
  }
  return out;
}

/** A JSON string literal of any string, lone surrogates kept as `\uD800` escapes (JSON.stringify's well-formed output). */
const literal = (text: string) => JSON.stringify(text);

/** JSON text nested `depth` levels of objects or arrays around a leaf. */
function nestedText(depth: number, arrays: boolean, leaf: string): string {
  return arrays ? `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

/** JSON text of a hostile value: a leaf, an object (its keys hostile too), an array, or nesting thousands deep. */
export const hostileJson: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString.map(literal),
    fc.constantFrom('null', 'true', '0', '-1', '1e308', '9007199254740993', '""'),
    fc
      .array(fc.tuple(fc.oneof(hostileString, fc.constantFrom(...PROTOTYPE_KEYS)), tie('value')), { maxLength: 4 })
      .map((entries) => `{${entries.map(([k, v]) => `${literal(k)}:${v}`).join(',')}}`),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc.tuple(fc.integer({ min: 60, max: 5000 }), fc.boolean(), hostileString).map(([depth, arrays, leaf]) => nestedText(depth, arrays, literal(leaf))),
    fc.constant('{"constructor":{"prototype":{"polluted":true}}}'),
  ),
})).value;

/**
 * The fields the surfaces read, by name: native definitions, runs and
 * credentials, TiEM operations, EnOS searches, Explorer connect and jobs,
 * Pandora workflows. A body is a few of them, each with a hostile value, so
 * every route's every string and object gets its turn.
 */
const FIELDS = [
  'workflow', 'bizId', 'bizType', 'input', 'idempotencyKey', 'name', 'description', 'nodes', 'schedules', 'labels', 'params',
  'kind', 'role', 'orgId', 'accessKey', 'secret', 'expiresAt', 'workFlowId', 'type', 'expression', 'owner', 'fromTriggerTime',
  'toTriggerTime', 'status', 'pagination', 'address', 'port', 'region', 'comment', 'data', 'parents', 'children', 'flowInstId',
  'priority', 'concurrency', 'retry',
] as const;

/** Shapes the surfaces nest their fields in, with hostile strings and values where they read them. */
const shaped = fc.oneof(
  fc
    .tuple(hostileString, hostileString, hostileJson, hostileString)
    .map(([name, type, params, dep]) => `{"name":${literal(name)},"nodes":[{"name":"a","type":${literal(type)},"params":${params},"dependsOn":[${literal(dep)}]}]}`),
  fc
    .tuple(fc.oneof(hostileString, fc.constantFrom('create_time', ...PROTOTYPE_KEYS)), hostileString, hostileString)
    .map(
      ([field, order, expression]) =>
        `{"type":0,"owner":"","expression":${literal(expression)},"fromTriggerTime":0,"toTriggerTime":1,"status":"","pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":${literal(field)},"order":${literal(order)}}]}}`,
    ),
  fc.tuple(hostileString, hostileJson).map(([node, data]) => `{"region":"nb","nodes":{${literal(`${node}-job`)}:{"name":${literal(node)},"type":"job","data":${data}}}}`),
  fc.tuple(hostileJson, hostileString).map(([input, bizId]) => `{"workflow":"BackupCluster","bizId":${literal(bizId)},"input":${input}}`),
  fc
    .tuple(fc.constantFrom('bearer', 'enos', 'explorer', 'cos', 'qiniu', 'secret'), fc.constantFrom('reader', 'operator', 'admin', 'superadmin', 'metrics'), hostileString, hostileString)
    .map(([kind, role, orgId, accessKey]) => `{"kind":"${kind}","role":"${role}","orgId":${literal(orgId)},"name":${literal(accessKey)},"accessKey":${literal(accessKey)},"secret":${literal(orgId)}}`),
);

/** A hostile JSON body: known fields with hostile values, a surface's own shape, or any hostile value. */
export const hostileBody = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom(...FIELDS), hostileJson), { maxLength: 5 }).map((entries) => `{${entries.map(([k, v]) => `${literal(k)}:${v}`).join(',')}}`),
  shaped,
  hostileJson,
);
