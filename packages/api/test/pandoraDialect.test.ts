import { createHash, createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * The Qiniu Pandora dialect, driven the way Qiniu's pandora-go-sdk drives it.
 * The signer below is written from the SDK's base/sign.go, independently of
 * the server's verifier, to prove the two agree.
 */

let api: ApiFixture;
let admin: { ak: string; sk: string };
let reader: { ak: string; sk: string };
const ORG = 'qiniu-org';

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  const issue = async (role: 'admin' | 'reader') => {
    const c = await api.authority.issue({ kind: 'qiniu', role, orgId: ORG });
    return { ak: c.accessKey!, sk: c.secret };
  };
  admin = await issue('admin');
  reader = await issue('reader');
});
afterAll(async () => {
  await api.close();
});

/** Go's http.CanonicalHeaderKey. */
const canonical = (name: string) => name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());

/** pandora-go-sdk base.Sign: METHOD, Content-MD5, Content-Type, Date, sorted X-Qiniu-* headers, URL path (no query). */
function sdkAuthorization(key: { ak: string; sk: string }, method: string, path: string, headers: Record<string, string>): string {
  const h = new Map(Object.entries(headers).map(([k, v]) => [canonical(k), v]));
  let text = `${method}\n${h.get('Content-Md5') ?? ''}\n${h.get('Content-Type') ?? ''}\n${h.get('Date') ?? ''}\n`;
  const qiniu = [...h.keys()].filter((k) => k.startsWith('X-Qiniu-') && k.length > 'X-Qiniu-'.length).sort();
  for (const k of qiniu) text += `\n${k.toLowerCase()}:${h.get(k)}`;
  text += decodeURIComponent(path);
  const sign = createHmac('sha1', key.sk).update(text).digest('base64').replaceAll('+', '-').replaceAll('/', '_');
  return `Pandora ${key.ak}:${sign}`;
}

interface CallOptions {
  body?: unknown;
  /** a raw body, sent as is */
  raw?: string;
  headers?: Record<string, string>;
  key?: { ak: string; sk: string };
  date?: Date | string;
  /** what is signed, when it should differ from what is sent (`body`: what Content-MD5 is computed over) */
  signed?: { method?: string; path?: string; date?: Date; body?: string };
  /** send a body without Content-MD5 */
  noDigest?: boolean;
}

/** Content-MD5 as RFC 1864 (and Qiniu's SDK) writes it: base64 of the MD5 of the body. */
const md5 = (body: string) => createHash('md5').update(body).digest('base64');

async function pandora(method: string, url: string, options: CallOptions = {}): Promise<LightMyRequestResponse> {
  const date = typeof options.date === 'string' ? options.date : (options.date ?? new Date()).toUTCString();
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const digested = options.signed?.body ?? payload;
  const headers: Record<string, string> = {
    Date: date,
    ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...(digested === undefined || options.noDigest ? {} : { 'Content-MD5': md5(digested) }),
    ...options.headers,
  };
  const signedHeaders = { ...headers, ...(options.signed?.date ? { Date: options.signed.date.toUTCString() } : {}) };
  const path = options.signed?.path ?? url.split('?')[0]!;
  headers.Authorization = sdkAuthorization(options.key ?? admin, options.signed?.method ?? method, path, signedHeaders);
  return api.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) });
}

const errorOf = (r: LightMyRequestResponse) => ({ status: r.statusCode, error: (r.json() as { error: string }).error });

/** Describes a JSON value's shape: keys and value types, recursively (arrays by their first element). */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0])] : [];
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value;
}

/** The seed's list item (查看所有工作流), field by field with its documented type. */
const SEED_WORKFLOW_SHAPE = {
  name: 'string',
  region: 'string',
  comment: 'string',
  createTime: 'string',
  updateTime: 'string',
  status: 'string',
  canStart: 'boolean',
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

// A DAG in Pandora's terms: a queue feeding a real-time transform that exports.
const pipelineNodes = (transformData: Record<string, unknown> = {}) => ({
  'logs-repo': { name: 'logs', type: 'repo', data: {}, parents: [], children: [{ name: 'clean', type: 'transform' }] },
  'clean-transform': { name: 'clean', type: 'transform', data: transformData, parents: [{ name: 'logs', type: 'repo' }], children: [] },
  'toKodo-export': { name: 'toKodo', type: 'export', data: { type: 'kodo' }, parents: [{ name: 'clean', type: 'transform' }] },
});

interface StatusDoc {
  status: string;
  nodes: { name: string; type: string; status: string }[];
}

/** Polls `/status` until `done` holds; returns the workflow status then. */
async function waitForStatus(name: string, wanted: string[], done: (doc: StatusDoc) => boolean = () => true): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const doc = (await pandora('GET', `/v2/workflows/${name}/status`)).json() as StatusDoc;
    if (wanted.includes(doc.status) && done(doc)) return doc.status;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${name} never reached ${wanted.join('|')}`);
}

describe('Pandora shapes match the seed', () => {
  it('creates with the seed request as written (trailing comma included) and lists a bare array of the seed shape', async () => {
    // the seed's curl body, byte for byte in its JSON part
    const created = await pandora('POST', '/v2/workflows/Test_Workflow', { raw: '{\n    "region": "nb", \n    "comment": "workflow_for_test", \n}' });
    expect(created.statusCode).toBe(200);
    expect(created.headers['x-reqid']).toMatch(/^[A-Za-z0-9_-]{16}$/);

    const listed = await pandora('GET', '/v2/workflows');
    expect(listed.statusCode).toBe(200);
    expect(listed.headers['content-type']).toBe('application/json');
    const items = listed.json() as Record<string, unknown>[];
    expect(Array.isArray(items)).toBe(true);
    const item = items.find((w) => w.name === 'Test_Workflow')!;
    expect(shapeOf(item)).toEqual(SEED_WORKFLOW_SHAPE);
    expect(item).toMatchObject({ region: 'nb', comment: 'workflow_for_test', status: 'Ready', canStart: false });
    expect(item.createTime).toMatch(RFC3339);
  });

  it('gets a workflow with nodes keyed <NodeName>-<NodeType>, their data, parents and children', async () => {
    await pandora('POST', '/v2/workflows/Shaped', { body: { region: 'nb', comment: 'shape' } });
    const updated = await pandora('PUT', '/v2/workflows/Shaped', { body: { name: 'Shaped', region: 'nb', nodes: pipelineNodes({ interval: '5m' }) } });
    expect(updated.statusCode).toBe(200);
    const got = (await pandora('GET', '/v2/workflows/Shaped')).json();
    const node = { name: 'string', type: 'string', data: {}, parents: [{ name: 'string', type: 'string' }], children: [{ name: 'string', type: 'string' }] };
    expect(shapeOf({ ...got, nodes: { 'clean-transform': got.nodes['clean-transform'] } })).toEqual({
      ...SEED_WORKFLOW_SHAPE,
      nodes: { 'clean-transform': { ...node, data: { interval: 'string' } } },
    });
    expect(Object.keys(got.nodes)).toEqual(['logs-repo', 'clean-transform', 'toKodo-export']);
    expect(got.nodes['logs-repo']).toEqual({ name: 'logs', type: 'repo', data: {}, parents: [], children: [{ name: 'clean', type: 'transform' }] });
    expect(got.nodes['clean-transform'].children).toEqual([{ name: 'toKodo', type: 'export' }]);
    expect(got.nodes['toKodo-export'].data).toEqual({ type: 'kodo' });
    // the update sent no comment: the stored one stays
    expect(got).toMatchObject({ name: 'Shaped', region: 'nb', comment: 'shape', status: 'Ready', canStart: true });
  });

  it('status lists every node with its type and status', async () => {
    const status = (await pandora('GET', '/v2/workflows/Shaped/status')).json();
    expect(status).toEqual({
      name: 'Shaped',
      region: 'nb',
      nodes: [
        { name: 'logs', type: 'repo', status: 'Ready' },
        { name: 'clean', type: 'transform', status: 'Ready' },
        { name: 'toKodo', type: 'export', status: 'Ready' },
      ],
      status: 'Ready',
    });
  });
});

describe('a Pandora workflow through its own API alone', () => {
  it('is created, started, watched, stopped, restarted and deleted', async () => {
    expect((await pandora('POST', '/v2/workflows/Lifecycle', { body: { region: 'nb' } })).statusCode).toBe(200);
    const nodes = pipelineNodes({ flowlineType: 'sleep', ms: 5000 });
    expect((await pandora('PUT', '/v2/workflows/Lifecycle', { body: { region: 'nb', nodes } })).statusCode).toBe(200);

    expect((await pandora('POST', '/v2/workflows/Lifecycle/start')).statusCode).toBe(200);
    // the sleeping transform is what keeps it running
    expect(await waitForStatus('Lifecycle', ['Started'], (doc) => doc.nodes[1]!.status === 'Started')).toBe('Started');
    const running = (await pandora('GET', '/v2/workflows/Lifecycle')).json();
    expect(running).toMatchObject({ status: 'Started', canStart: false });
    expect((await pandora('GET', '/v2/workflows/Lifecycle/status')).json().nodes[1]).toEqual({ name: 'clean', type: 'transform', status: 'Started' });
    expect(errorOf(await pandora('POST', '/v2/workflows/Lifecycle/start'))).toEqual({ status: 400, error: expect.stringMatching(/^E18644: .*Started/) });

    expect((await pandora('POST', '/v2/workflows/Lifecycle/stop')).statusCode).toBe(200);
    expect(await waitForStatus('Lifecycle', ['Stopped'])).toBe('Stopped');
    expect(errorOf(await pandora('POST', '/v2/workflows/Lifecycle/stop'))).toEqual({ status: 400, error: expect.stringMatching(/^E18645: /) });
    expect((await pandora('GET', '/v2/workflows/Lifecycle')).json()).toMatchObject({ status: 'Stopped', canStart: true });

    // a stopped workflow starts again: a new run
    expect((await pandora('POST', '/v2/workflows/Lifecycle/start')).statusCode).toBe(200);
    expect(await waitForStatus('Lifecycle', ['Starting', 'Started'])).toMatch(/Start/);
    expect((await pandora('POST', '/v2/workflows/Lifecycle/stop')).statusCode).toBe(200);
    await waitForStatus('Lifecycle', ['Stopped']);

    expect((await pandora('DELETE', '/v2/workflows/Lifecycle')).statusCode).toBe(200);
    expect(errorOf(await pandora('GET', '/v2/workflows/Lifecycle'))).toEqual({ status: 404, error: expect.stringMatching(/^E18641: /) });
  });

  it('runs a node of a handler type a worker registered, named by its data.flowlineType', async () => {
    const nodes = pipelineNodes({ flowlineType: 'BackupCluster.backup' });
    expect((await pandora('POST', '/v2/workflows/Coded', { body: { region: 'nb', nodes } })).statusCode).toBe(200);
    expect((await pandora('POST', '/v2/workflows/Coded/start')).statusCode).toBe(200);
    await waitForStatus('Coded', ['Ready'], (doc) => doc.nodes.every((n) => n.status === 'Ready'));
    const { rows } = await api.engineOptions.db.pool.query(
      `SELECT n.status, n.result FROM node_runs n JOIN workflow_runs r ON r.id = n.run_id WHERE r.workflow_name = 'Coded' AND n.name = 'clean'`,
    );
    expect(rows).toEqual([{ status: 1, result: expect.stringContaining('backup cluster') }]);
  });

  it('a workflow that ran to the end is Ready again and may start', async () => {
    await pandora('POST', '/v2/workflows/Quick', { body: { region: 'nb', nodes: pipelineNodes() } });
    expect((await pandora('POST', '/v2/workflows/Quick/start')).statusCode).toBe(200);
    await waitForStatus('Quick', ['Ready']);
    expect((await pandora('GET', '/v2/workflows/Quick')).json()).toMatchObject({ status: 'Ready', canStart: true });
  });

  it('start enables the workflow cron schedules, stop disables them, and a Pandora update keeps them', async () => {
    await pandora('POST', '/v2/workflows/Nightly', { body: { region: 'nb', nodes: pipelineNodes({ flowlineType: 'sleep', ms: 5000 }) } });
    const stored = await api.engine.getDefinition('Nightly', ORG);
    await api.engine.updateDefinition('Nightly', { ...stored.spec, schedules: [{ expression: '0 0 23 * * ?', paused: true }] }, ORG);
    await pandora('PUT', '/v2/workflows/Nightly', { body: { region: 'nb', comment: 'nightly' } });
    const paused = async () => (await api.engine.listSchedules(ORG, 'Nightly')).map((s) => s.paused);
    expect(await paused()).toEqual([true]);

    expect((await pandora('POST', '/v2/workflows/Nightly/start')).statusCode).toBe(200);
    expect(await paused()).toEqual([false]);
    expect((await pandora('POST', '/v2/workflows/Nightly/stop')).statusCode).toBe(200);
    expect(await paused()).toEqual([true]);
  });

  it('two concurrent starts begin one run, the other is refused', async () => {
    await pandora('POST', '/v2/workflows/Racy', { body: { region: 'nb', nodes: pipelineNodes({ flowlineType: 'sleep', ms: 2000 }) } });
    const answers = await Promise.all([1, 2, 3].map(() => pandora('POST', '/v2/workflows/Racy/start')));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 400, 400]);
    const runs = await api.engine.listRuns({ orgId: ORG, workflow: 'Racy' }, { limit: 10 });
    expect(runs.runs).toHaveLength(1);
    await pandora('POST', '/v2/workflows/Racy/stop');
  });

  it('workflows belong to the caller org: another org sees none of them, only the shared catalog', async () => {
    const other = await api.authority.issue({ kind: 'qiniu', role: 'admin', orgId: 'someone-else' });
    const key = { ak: other.accessKey!, sk: other.secret };
    expect((await pandora('GET', '/v2/workflows', { key })).json().map((w: { name: string }) => w.name)).toEqual(['BackupCluster']);
    expect(errorOf(await pandora('GET', '/v2/workflows/Shaped', { key })).status).toBe(404);
  });
});

describe('Pandora errors', () => {
  it.each([
    ['a name starting with a digit', '1abc'],
    ['a name with a dash', 'a-b'],
    ['a 129-character name', `a${'b'.repeat(128)}`],
  ])('E18639 for %s', async (_what, name) => {
    expect(errorOf(await pandora('POST', `/v2/workflows/${name}`, { body: { region: 'nb' } }))).toEqual({
      status: 400,
      error: expect.stringMatching(/^E18639: /),
    });
  });

  it('E18640 when the workflow exists', async () => {
    await pandora('POST', '/v2/workflows/Twice', { body: { region: 'nb' } });
    expect(errorOf(await pandora('POST', '/v2/workflows/Twice', { body: { region: 'nb' } }))).toEqual({ status: 409, error: expect.stringMatching(/^E18640: /) });
  });

  it.each([
    ['GET', '/v2/workflows/Ghost'],
    ['PUT', '/v2/workflows/Ghost'],
    ['DELETE', '/v2/workflows/Ghost'],
    ['POST', '/v2/workflows/Ghost/start'],
    ['POST', '/v2/workflows/Ghost/stop'],
    ['GET', '/v2/workflows/Ghost/status'],
  ])('E18641 for %s %s of a missing workflow', async (method, url) => {
    const body = method === 'PUT' ? { region: 'nb' } : undefined;
    expect(errorOf(await pandora(method, url, { body }))).toEqual({ status: 404, error: expect.stringMatching(/^E18641: /) });
  });

  it.each([
    ['region of the wrong type', { region: 5 }],
    ['no region', { comment: 'x' }],
    ['a body that is not an object', ['nb']],
    ['a null body', null],
    ['a body naming another workflow', { name: 'Other', region: 'nb' }],
    ['a node keyed wrongly', { region: 'nb', nodes: { wrong: { name: 'a', type: 'job' } } }],
    ['an unknown node type', { region: 'nb', nodes: { 'a-rocket': { name: 'a', type: 'rocket' } } }],
    ['two nodes of one name', { region: 'nb', nodes: { 'a-job': { name: 'a', type: 'job' }, 'a-repo': { name: 'a', type: 'repo' } } }],
    ['a parent not in the workflow', { region: 'nb', nodes: { 'a-job': { name: 'a', type: 'job', parents: [{ name: 'z', type: 'job' }] } } }],
    [
      'a cycle',
      {
        region: 'nb',
        nodes: {
          'a-job': { name: 'a', type: 'job', parents: [{ name: 'b', type: 'job' }] },
          'b-job': { name: 'b', type: 'job', parents: [{ name: 'a', type: 'job' }] },
        },
      },
    ],
    ['a flowline type that does not exist', { region: 'nb', nodes: { 'a-job': { name: 'a', type: 'job', data: { flowlineType: 'teleport' } } } }],
    ['data that is not an object', { region: 'nb', nodes: { 'a-job': { name: 'a', type: 'job', data: 'spec' } } }],
    ['a bad node name', { region: 'nb', nodes: { 'a b-job': { name: 'a b', type: 'job' } } }],
  ])('E18642 for %s', async (_what, body) => {
    expect(errorOf(await pandora('POST', '/v2/workflows/Malformed', { body }))).toEqual({ status: 400, error: expect.stringMatching(/^E18642: /) });
  });

  it('E18644 when starting a workflow with nothing startable', async () => {
    await pandora('POST', '/v2/workflows/Bare', { body: { region: 'nb' } });
    expect(errorOf(await pandora('POST', '/v2/workflows/Bare/start'))).toEqual({ status: 400, error: expect.stringMatching(/^E18644: .*no transform/) });
    const jobsOnly = { 'a-job': { name: 'a', type: 'job' } };
    await pandora('PUT', '/v2/workflows/Bare', { body: { region: 'nb', nodes: jobsOnly } });
    expect(errorOf(await pandora('POST', '/v2/workflows/Bare/start')).status).toBe(400);
  });

  it('E18645 when stopping a workflow that is not running', async () => {
    await pandora('POST', '/v2/workflows/Idle', { body: { region: 'nb' } });
    expect(errorOf(await pandora('POST', '/v2/workflows/Idle/stop'))).toEqual({ status: 400, error: expect.stringMatching(/^E18645: /) });
  });

  it('E18003 when a create has no body and no Content-Length', async () => {
    expect(errorOf(await pandora('POST', '/v2/workflows/NoLength'))).toEqual({ status: 411, error: expect.stringMatching(/^E18003: /) });
  });

  it('E18004 when Content-Length does not match the body', async () => {
    const r = await pandora('POST', '/v2/workflows/BadLength', { raw: '{"region":"nb"}', headers: { 'Content-Length': '3' } });
    expect(errorOf(r)).toEqual({ status: 400, error: expect.stringMatching(/^E18004: /) });
  });

  it('E18005 when the body is over the limit', async () => {
    const r = await pandora('POST', '/v2/workflows/Huge', { body: { region: 'nb', comment: 'x'.repeat(2 * 1024 * 1024) } });
    expect(errorOf(r)).toEqual({ status: 413, error: expect.stringMatching(/^E18005: /) });
  });

  it('E18006 when the body is empty', async () => {
    const r = await pandora('POST', '/v2/workflows/Empty', { raw: '', headers: { 'Content-Length': '0', 'Content-Type': 'application/json' } });
    expect(errorOf(r)).toEqual({ status: 400, error: expect.stringMatching(/^E18006: /) });
  });

  it.each(['{"region":', 'region=nb', '{"region":"nb"}}', '\u0000'])('E18007 for the body %j', async (raw) => {
    expect(errorOf(await pandora('POST', '/v2/workflows/BadJson', { raw }))).toEqual({ status: 400, error: expect.stringMatching(/^E18007: /) });
  });

  it('E18008 when a field is too long', async () => {
    const r = await pandora('POST', '/v2/workflows/Wordy', { body: { region: 'nb', comment: 'x'.repeat(2001) } });
    expect(errorOf(r)).toEqual({ status: 400, error: expect.stringMatching(/^E18008: /) });
  });

  it('403 E18665 when the role does not allow it; a reader still reads', async () => {
    expect(errorOf(await pandora('POST', '/v2/workflows/ByReader', { body: { region: 'nb' }, key: reader }))).toEqual({
      status: 403,
      error: expect.stringMatching(/^E18665: /),
    });
    expect((await pandora('GET', '/v2/workflows', { key: reader })).statusCode).toBe(200);
  });

  it('an unknown route is a 404 in Pandora format with X-Reqid', async () => {
    const r = await pandora('GET', '/v2/workflows/a/b/c');
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: expect.any(String) });
    expect(r.headers['x-reqid']).toBeTruthy();
  });
});

describe('Pandora signatures', () => {
  it('accepts signed X-Qiniu-* headers, sorted as Go sorts them', async () => {
    const headers = { 'X-Qiniu-Zeta': '1', 'X-Qiniu-Alpha': 'two', 'X-Qiniu-_under': '3' };
    expect((await pandora('GET', '/v2/workflows', { headers })).statusCode).toBe(200);
  });

  it.each([
    ['no Authorization', async () => api.app.inject({ method: 'GET', url: '/v2/workflows', headers: { date: new Date().toUTCString() } })],
    ['an unknown AK', () => pandora('GET', '/v2/workflows', { key: { ak: 'unknownAccessKey', sk: 'x' } })],
    ['a wrong SK', () => pandora('GET', '/v2/workflows', { key: { ak: admin.ak, sk: 'wrong' } })],
    ['a Bearer token', async () => api.call(api.adminToken, { method: 'GET', url: '/v2/workflows', headers: { date: new Date().toUTCString() } })],
    ['a tampered method', () => pandora('DELETE', '/v2/workflows/Shaped', { signed: { method: 'GET' } })],
    ['a tampered path', () => pandora('GET', '/v2/workflows/Shaped', { signed: { path: '/v2/workflows/Other' } })],
    ['an added query', () => pandora('GET', '/v2/workflows?region=nb')],
    ['a tampered Date', () => pandora('GET', '/v2/workflows', { signed: { date: new Date(Date.now() - 60_000) } })],
    ['a tampered X-Qiniu header', () => pandora('GET', '/v2/workflows', { headers: { 'X-Qiniu-A': '1' }, signed: {} }).then(() => tamperedHeader())],
    ['a Date 16 minutes old', () => pandora('GET', '/v2/workflows', { date: new Date(Date.now() - 16 * 60_000) })],
    ['a Date 16 minutes ahead', () => pandora('GET', '/v2/workflows', { date: new Date(Date.now() + 16 * 60_000) })],
    ['no Date', async () => api.app.inject({ method: 'GET', url: '/v2/workflows', headers: { authorization: sdkAuthorization(admin, 'GET', '/v2/workflows', {}) } })],
    // issue 21, finding 4: the signature covers Content-MD5, so the body must match it, and a body must carry it
    ['a body replaced after signing', () => pandora('PUT', '/v2/workflows/Shaped', { body: { name: 'Shaped', nodes: {} }, signed: { body: '{"name":"Shaped","region":"nb"}' } })],
    ['a body without Content-MD5', () => pandora('PUT', '/v2/workflows/Shaped', { body: { name: 'Shaped', nodes: {} }, noDigest: true })],
    ['a Content-MD5 that is no digest', () => pandora('POST', '/v2/workflows/Digestless', { body: { region: 'nb' }, headers: { 'Content-MD5': 'not-a-digest' } })],
    ['a Content-MD5 on a bodiless request that is not the empty body\'s', () => pandora('DELETE', '/v2/workflows/Shaped', { headers: { 'Content-MD5': md5('{}') } })],
    // a Date of the right shape naming no instant used to pass the freshness check forever (NaN compares false)
    ['a Date at hour 99', () => pandora('GET', '/v2/workflows', { date: 'Mon, 01 Jan 1990 99:00:00 GMT' })],
    ['a Date of 31 February', () => pandora('GET', '/v2/workflows', { date: new Date().toUTCString().replace(/^\w{3}, \d{2} \w{3}/, 'Sat, 31 Feb') })],
  ])('401 bad token for %s, with X-Reqid', async (_what, send) => {
    const r = await send();
    expect(r.statusCode).toBe(401);
    expect(r.json().error).toMatch(/^bad token/);
    expect(r.headers['x-reqid']).toBeTruthy();
  });

  it('accepts a body whose Content-MD5 is its digest, in base64 or hex', async () => {
    const body = JSON.stringify({ region: 'nb' });
    expect((await pandora('POST', '/v2/workflows/DigestB64', { raw: body })).statusCode).toBe(200);
    const hex = createHash('md5').update(body).digest('hex');
    expect((await pandora('POST', '/v2/workflows/DigestHex', { raw: body, headers: { 'Content-MD5': hex } })).statusCode).toBe(200);
  });

  it('leaves the stored workflow as it was when a replayed PUT carries another body', async () => {
    await pandora('POST', '/v2/workflows/Replayed', { body: { region: 'nb', comment: 'original' } });
    const replay = await pandora('PUT', '/v2/workflows/Replayed', { body: { name: 'Replayed', comment: 'attacker' }, signed: { body: JSON.stringify({ name: 'Replayed', comment: 'original' }) } });
    expect(replay.statusCode).toBe(401);
    expect((await pandora('GET', '/v2/workflows/Replayed')).json().comment).toBe('original');
  });

  it('accepts a Date 14 minutes off either way', async () => {
    for (const offset of [-14, 14]) {
      expect((await pandora('GET', '/v2/workflows', { date: new Date(Date.now() + offset * 60_000) })).statusCode).toBe(200);
    }
  });
});

/** Signs with one X-Qiniu header value and sends another. */
async function tamperedHeader(): Promise<LightMyRequestResponse> {
  const date = new Date().toUTCString();
  const authorization = sdkAuthorization(admin, 'GET', '/v2/workflows', { Date: date, 'X-Qiniu-A': '1' });
  return api.app.inject({ method: 'GET', url: '/v2/workflows', headers: { date, 'x-qiniu-a': '2', authorization } });
}
