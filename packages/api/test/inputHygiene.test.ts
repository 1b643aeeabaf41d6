import { createHash } from 'node:crypto';
import COS from 'cos-nodejs-sdk-v5';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pandoraSignature } from '../src/dialects/pandora/pandoraSignature.ts';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * Issue 21, finding 6: NUL in ~20 filters and names on every surface, a lone
 * surrogate in a bizId or input, JSON nested ~4,500 levels and EnOS sorters
 * named after Object.prototype's fields were all answered 500. Each is now the
 * client's mistake in its dialect's own words.
 */
let api: ApiFixture;
let bearer: string;
let enos: string;
let explorerCookie: string;
let cos: { SecretId: string; SecretKey: string };
let qiniu: { accessKey: string; secret: string };
let flowId: number;

/** JSON text nested `depth` levels: `{"a":{"a":…1…}}`, a few KB. */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** A JSON string literal holding a lone high surrogate, as a client's JSON would escape it. */
const LONE = '"\\ud800"';

beforeAll(async () => {
  api = await startApiFixture();
  bearer = await api.token('admin', { orgId: 'hygiene' });
  enos = await api.token('operator', { kind: 'enos', orgId: 'hygiene' });
  const explorer = await api.authority.issue({ kind: 'explorer', role: 'operator', orgId: 'hygiene' });
  const connected = await api.app.inject({
    method: 'POST',
    url: '/api-open/v1/connect',
    headers: { authorization: `Bearer ${Buffer.from(JSON.stringify([explorer.accessKey, explorer.secret])).toString('base64')}` },
    payload: { address: '127.0.0.1', port: 9669 },
  });
  explorerCookie = String(connected.headers['set-cookie']).split(';')[0]!;
  const cosKey = await api.authority.issue({ kind: 'cos', role: 'operator', orgId: 'hygiene' });
  cos = { SecretId: cosKey.accessKey!, SecretKey: cosKey.secret };
  const qiniuKey = await api.authority.issue({ kind: 'qiniu', role: 'admin', orgId: 'hygiene' });
  qiniu = { accessKey: qiniuKey.accessKey!, secret: qiniuKey.secret };
  flowId = (await api.engine.getDefinition('BackupCluster', 'default')).id;
});
afterAll(async () => {
  await api.close();
});

const json = (method: string, url: string, payload: string, headers: Record<string, string> = {}): InjectOptions => ({
  method: method as 'POST',
  url,
  payload,
  headers: { 'content-type': 'application/json', ...headers },
});

function cosSigned(method: string, key: string, query: Record<string, string>): InjectOptions {
  const headers = { host: 'ci.example.com' };
  const authorization = COS.getAuthorization({ ...cos, Method: method as 'GET', Key: key, Query: query, Headers: headers });
  return { method: method as 'GET', url: `/${key}?${new URLSearchParams(query)}`, headers: { ...headers, authorization } };
}

function pandoraSigned(method: string, url: string, payload?: string): InjectOptions {
  const headers: Record<string, string> = {
    date: new Date().toUTCString(),
    ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-md5': createHash('md5').update(payload).digest('base64') }),
  };
  headers.authorization = `Pandora ${qiniu.accessKey}:${pandoraSignature(qiniu.secret, { method, headers, url }).toString('base64url')}=`;
  return { method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) };
}

const send = (options: InjectOptions): Promise<LightMyRequestResponse> => api.app.inject(options);
const enosQuery = (action: string, extra = '') => `/batch-processing-service/v2.1/flowInstances?action=${action}&userId=u&orgId=hygiene${extra}`;
const enosSearch = (patch: Record<string, string> = {}) =>
  `{"type":0,"owner":${patch.owner ?? '""'},"expression":${patch.expression ?? '"x"'},"fromTriggerTime":0,"toTriggerTime":1,"status":"",` +
  `"pagination":{"pageNo":1,"pageSize":10${patch.sorters ? `,"sorters":${patch.sorters}` : ''}}}`;

/** Each case: the request, and how the dialect says "your mistake". */
const CASES: [string, () => InjectOptions, (r: LightMyRequestResponse) => void][] = [];
const native = (r: LightMyRequestResponse) => expect(r.json().error.code).toBe('VALIDATION_FAILED');
const tiem = (r: LightMyRequestResponse) => expect(r.json()).toMatchObject({ code: 10004, data: {} });
const enosBad = (r: LightMyRequestResponse) => expect(r.json().code).toBe(400);
const explorerBad = (r: LightMyRequestResponse) => expect([40004000, 40004001]).toContain(r.json().code);
const tencent = (r: LightMyRequestResponse) => expect(r.body).toContain('<Code>InvalidArgument</Code>');
const pandora = (code: string) => (r: LightMyRequestResponse) => expect(r.json().error).toMatch(new RegExp(`^${code}: `));

const auth = () => ({ authorization: `Bearer ${bearer}` });
for (const filter of ['workflow', 'bizId', 'bizType', 'status', 'cursor']) {
  CASES.push([`native: NUL in the ${filter} filter`, () => ({ method: 'GET', url: `/v1/runs?${filter}=a%00b`, headers: auth() }), native]);
}
CASES.push(
  ['native: NUL in a definition name (path)', () => ({ method: 'GET', url: '/v1/definitions/a%00', headers: auth() }), native],
  ['native: NUL in a run id (path)', () => ({ method: 'POST', url: '/v1/runs/%00/cancel', headers: auth() }), native],
  ['native: NUL in a schedule filter', () => ({ method: 'GET', url: '/v1/schedules?workflow=%00', headers: auth() }), native],
  ['native: a lone surrogate in a bizId', () => json('POST', '/v1/runs', `{"workflow":"BackupCluster","bizId":${LONE}}`, auth()), native],
  ['native: a lone surrogate in an input', () => json('POST', '/v1/runs', `{"workflow":"BackupCluster","input":{"k":${LONE}}}`, auth()), native],
  ['native: NUL in an input key', () => json('POST', '/v1/runs', '{"workflow":"BackupCluster","input":{"\\u0000":1}}', auth()), native],
  ['native: an input nested 4,500 levels', () => json('POST', '/v1/runs', `{"workflow":"BackupCluster","input":${nested(4500)}}`, auth()), native],
  ['native: params nested 4,500 levels', () => json('POST', '/v1/definitions', `{"name":"Deep","nodes":[{"name":"a","type":"noop","params":${nested(4500)}}]}`, auth()), native],
  ['native: NUL in a credential name', () => json('POST', '/v1/credentials', '{"kind":"bearer","role":"reader","name":"a\\u0000"}', auth()), native],
  ['TiEM: NUL in flowName', () => ({ method: 'GET', url: '/api/v1/workflow/?flowName=%00', headers: auth() }), tiem],
  ['TiEM: NUL in bizId', () => ({ method: 'GET', url: '/api/v1/workflow/?bizId=x%00', headers: auth() }), tiem],
  ['TiEM: NUL in bizType', () => ({ method: 'GET', url: '/api/v1/workflow/?bizType=%00', headers: auth() }), tiem],
  ['TiEM: NUL in a workflow id (path)', () => ({ method: 'GET', url: '/api/v1/workflow/%00', headers: auth() }), tiem],
  ['TiEM: a lone surrogate in workFlowId', () => json('POST', '/api/v1/workflow/cancel', `{"workFlowId":${LONE}}`, auth()), tiem],
  ['EnOS: NUL in orgId', () => json('POST', enosQuery('search').replace('orgId=hygiene', 'orgId=%00'), enosSearch(), { 'apim-accesstoken': enos }), enosBad],
  ['EnOS: NUL in flowInstId', () => ({ method: 'GET', url: enosQuery('get', '&flowInstId=1-%00'), headers: { 'apim-accesstoken': enos } }), enosBad],
  ['EnOS: NUL in expression', () => json('POST', enosQuery('search'), enosSearch({ expression: '"\\u0000"' }), { 'apim-accesstoken': enos }), enosBad],
  ['EnOS: a lone surrogate in owner', () => json('POST', enosQuery('search'), enosSearch({ owner: LONE }), { 'apim-accesstoken': enos }), enosBad],
  ['EnOS: a body nested 4,500 levels', () => json('POST', enosQuery('search'), nested(4500), { 'apim-accesstoken': enos }), enosBad],
  ['Explorer: NUL in the filter name', () => ({ method: 'GET', url: `/api-open/v1/jobs?filter=${encodeURIComponent('{"name":"\\u0000"}')}`, headers: { cookie: explorerCookie } }), explorerBad],
  ['Explorer: a lone surrogate in the filter name', () => ({ method: 'GET', url: `/api-open/v1/jobs?filter=${encodeURIComponent(`{"name":${LONE}}`)}`, headers: { cookie: explorerCookie } }), explorerBad],
  ['Explorer: a filter nested 1,000 levels', () => ({ method: 'GET', url: `/api-open/v1/jobs?filter=${encodeURIComponent(nested(1000))}`, headers: { cookie: explorerCookie } }), explorerBad],
  ['Explorer: an input nested 4,500 levels', () => json('POST', `/api-open/v1/workflows/${flowId}/jobs`, `{"input":${nested(4500)}}`, { cookie: explorerCookie }), explorerBad],
  ['Explorer: a lone surrogate in an input', () => json('POST', `/api-open/v1/workflows/${flowId}/jobs`, `{"input":{"k":${LONE}}}`, { cookie: explorerCookie }), explorerBad],
  ['Tencent: NUL in name', () => cosSigned('GET', 'workflowexecution', { name: 'a\u0000' }), tencent],
  ['Tencent: NUL in jobId', () => cosSigned('GET', 'workflowexecution', { jobId: '\u0000' }), tencent],
  ['Tencent: NUL in the object of a trigger', () => cosSigned('POST', 'triggerworkflow', { workflowId: 'w00000000000000000000000000000000', object: 'a\u0000' }), tencent],
  ['Pandora: NUL in a comment', () => pandoraSigned('POST', '/v2/workflows/NulComment', '{"region":"nb","comment":"\\u0000"}'), pandora('E18642')],
  ['Pandora: a lone surrogate in a region', () => pandoraSigned('POST', '/v2/workflows/LoneRegion', `{"region":${LONE}}`), pandora('E18642')],
  ['Pandora: node data nested 4,500 levels', () => pandoraSigned('POST', '/v2/workflows/DeepData', `{"region":"nb","nodes":{"a-job":{"name":"a","type":"job","data":${nested(4500)}}}}`), pandora('E18007')],
);

describe('input no surface can store is the client\'s mistake, in its dialect\'s words', () => {
  it.each(CASES)('%s', async (_what, request, dialectSays) => {
    const response = await send(request());
    expect(response.statusCode, response.body.slice(0, 300)).toBe(400);
    dialectSays(response);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('EnOS: a sorter field %s is 62102, not a 500', async (field) => {
    const response = await send(json('POST', enosQuery('search'), enosSearch({ sorters: `[{"field":"${field}","order":"ASC"}]` }), { 'apim-accesstoken': enos }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code: 62102, msg: 'The sorters field parameter is invalid' });
  });

  it.each(['constructor', '__proto__', 'toString'])('native: a status filter %s is a 400 naming it', async (status) => {
    const response = await send({ method: 'GET', url: `/v1/runs?status=${status}`, headers: auth() });
    expect(response.statusCode).toBe(400);
  });

  it('a prototype key in a body is refused on surfaces with parsers of their own', async () => {
    const explorer = await send(json('POST', `/api-open/v1/workflows/${flowId}/jobs`, '{"input":{"__proto__":{"admin":true}}}', { cookie: explorerCookie }));
    expect(explorer.statusCode).toBe(400);
    const pandoraResponse = await send(pandoraSigned('POST', '/v2/workflows/Proto', '{"region":"nb","__proto__":{"x":1}}'));
    expect(pandoraResponse.statusCode).toBe(400);
  });

  it('still takes what is well-formed: astral characters, escapes, 60 levels of nesting', async () => {
    const started = await send(json('POST', '/v1/runs', `{"workflow":"BackupCluster","bizId":"\\ud83d\\ude42 ok","input":${nested(60)}}`, auth()));
    expect(started.statusCode).toBe(201);
    expect(started.json().bizId).toBe('🙂 ok');
  });
});
