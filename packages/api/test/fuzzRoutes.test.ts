import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * Property: no request a client can send makes flowline answer 5xx, on any
 * route of any surface (native and every dialect registered), authenticated
 * or not. Routes are read from the server itself, so a new dialect is fuzzed
 * the moment it is registered.
 */
let api: ApiFixture;
let routes: { method: string; url: string }[];

beforeAll(async () => {
  api = await startApiFixture();
  routes = listRoutes(api.app.printRoutes({ commonPrefix: false }));
});
afterAll(async () => {
  await api.close();
});

/** Parses fastify's route tree print-out ("├── /v1/runs (GET, HEAD, POST)") into method + path. */
function listRoutes(printed: string): { method: string; url: string }[] {
  const found: { method: string; url: string }[] = [];
  for (const line of printed.split('\n')) {
    const match = /(\/\S*) \(([A-Z, ]+)\)/.exec(line);
    if (!match) continue;
    for (const method of match[2]!.split(', ')) if (method !== 'HEAD') found.push({ method, url: match[1]! });
  }
  return found;
}

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', 'null', '[]', '{}', '%', '%zz', '../../etc/passwd', 'A'.repeat(5000), '\u0000', '\uD800', '🙂', "' OR 1=1 --"),
  fc.integer().map(String),
  fc.double().map(String),
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.object({ maxDepth: 3 }),
  fc.record({ workflow: hostile, bizId: hostile, input: fc.jsonValue(), idempotencyKey: hostile }, { requiredKeys: [] }),
  fc.record({ name: hostile, nodes: fc.array(fc.record({ name: hostile, type: hostile, dependsOn: fc.array(hostile) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
);

const rawBody = fc.oneof(
  jsonish.map((v) => ({ payload: JSON.stringify(v) ?? 'null', type: 'application/json' })),
  fc.string().map((s) => ({ payload: s, type: 'application/json' })),
  fc.string().map((s) => ({ payload: s, type: 'text/plain' })),
  fc.string().map((s) => ({ payload: `<a>${s}</a>`, type: 'application/xml' })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ payload: Buffer.from(b), type: 'application/json' })),
  fc.constant({ payload: `${'['.repeat(50_000)}${']'.repeat(50_000)}`, type: 'application/json' }),
  fc.constant({ payload: '{"a":1}', type: 'multipart/form-data; boundary=x' }),
);

/** Percent-encodes a path value; a lone surrogate becomes the invalid UTF-8 `%ED%A0%80`, itself a good probe. */
function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

function fillPath(url: string, values: string[]): string {
  let i = 0;
  return url.replace(/:[A-Za-z]+|\*/g, () => encodeSegment(values[i++ % values.length] ?? 'x'));
}

describe('fuzzing every route', () => {
  it('never answers 5xx to generated requests, authenticated or not', async () => {
    expect(routes.length).toBeGreaterThan(10);
    const auth = fc.constantFrom<'none' | 'admin' | 'junk' | 'reader' | 'enos' | 'explorer'>('none', 'admin', 'junk', 'reader', 'enos', 'explorer');
    const reader = await api.token('reader');
    // Valid credentials of the dialects' own schemes, so generated requests get past their auth too.
    const enos = await api.token('admin', { kind: 'enos' });
    const explorerAccount = await api.authority.issue({ kind: 'explorer', role: 'admin', orgId: 'default' });
    const connected = await api.app.inject({
      method: 'POST',
      url: '/api-open/v1/connect',
      headers: { authorization: `Bearer ${Buffer.from(JSON.stringify([explorerAccount.accessKey, explorerAccount.secret])).toString('base64')}` },
      payload: { address: '127.0.0.1', port: 9669 },
    });
    const explorerCookie = String(connected.headers['set-cookie']).split(';')[0]!;
    expect(explorerCookie).toMatch(/^explorer_token=./);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 10_000 }),
        fc.array(hostile, { minLength: 1, maxLength: 4 }),
        fc.dictionary(fc.constantFrom('page', 'pageSize', 'limit', 'cursor', 'status', 'filter', 'size', 'nextToken', 'action', 'orgId', 'userId', 'from', 'to', 'workflowId', 'states'), hostile, { maxKeys: 4 }),
        rawBody,
        auth,
        async (pick, pathValues, query, body, who) => {
          const route = routes[pick % routes.length]!;
          const headers: Record<string, string> = { 'content-type': body.type };
          if (who === 'admin') headers.authorization = `Bearer ${api.adminToken}`;
          if (who === 'reader') headers.authorization = `Bearer ${reader}`;
          if (who === 'junk') headers.authorization = 'Bearer \u00ff junk';
          if (who === 'enos') headers['apim-accesstoken'] = enos;
          if (who === 'explorer') headers.cookie = explorerCookie;
          const options: InjectOptions = {
            method: route.method as InjectOptions['method'],
            url: fillPath(route.url, pathValues),
            query,
            headers,
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: body.payload }),
          };
          const response = await api.app.inject(options);
          if (response.statusCode >= 500) {
            throw new Error(`${route.method} ${options.url} ${JSON.stringify(query)} (${who}) → ${response.statusCode} ${response.body.slice(0, 300)}`);
          }
        },
      ),
      { numRuns: 4000 },
    );
    // The server is still up and answering.
    expect((await api.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  }, 120_000);

  it('answers a body over the size limit with 413, not 500', async () => {
    const response = await api.call(api.adminToken, {
      method: 'POST',
      url: '/v1/runs',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ workflow: 'BackupCluster', input: { blob: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expect(response.statusCode).toBe(413);
  });
});
