import { CheckPlatform, type RunWithNodes } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';
import { shapeDifferences } from './golden/sameShape.ts';
import { TIEM_DETAIL_SAMPLE, TIEM_LIST_REQUEST, TIEM_LIST_SAMPLE } from './golden/tiemSamples.ts';

let api: ApiFixture;
let operator: string;
let backup: RunWithNodes;
let check: RunWithNodes;

const start = async (token: string, workflow: string, extra: Record<string, unknown> = {}) => {
  const response = await api.call(token, { method: 'POST', url: '/v1/runs', payload: { workflow, ...extra } });
  expect(response.statusCode).toBe(201);
  return response.json().id as string;
};

const get = (token: string | undefined, url: string) => api.call(token, { method: 'GET', url });

beforeAll(async () => {
  api = await startApiFixture({ worker: true, timeZone: 'Asia/Shanghai' });
  await api.engine.registerWorkflow(CheckPlatform);
  operator = await api.token('operator');
  backup = await api.waitForEnd(await start(operator, 'BackupCluster', { bizType: 'cluster' }));
  check = await api.waitForEnd(await start(operator, 'CheckPlatform', { bizType: 'checkReport' }));
});
afterAll(async () => {
  await api.close();
});

describe('TiEM GET /api/v1/workflow/', () => {
  it('answers the seed request, sent as written, in exactly the seed sample shape', async () => {
    const response = await api.app.inject({
      ...TIEM_LIST_REQUEST,
      headers: { ...TIEM_LIST_REQUEST.headers, Authorization: `Bearer ${operator}` },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(shapeDifferences(body, TIEM_LIST_SAMPLE)).toEqual([]);
    expect(body.data.workFlows.map((w: { id: string }) => w.id)).toEqual([check.id, backup.id]);
    expect(body.data.workFlows[1]).toMatchObject({ name: 'BackupCluster', bizId: backup.bizId, bizType: 'cluster', status: 'Finished' });
    expect(body.page).toEqual({ page: 1, pageSize: 10, total: 2 });
  });

  it('renders times as RFC3339 in the display zone with the fraction trimmed, and an unset time as Go zero time', async () => {
    const w = (await get(operator, '/api/v1/workflow')).json().data.workFlows[1];
    expect(w.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?\+08:00$/);
    expect(new Date(w.createTime).getTime()).toBe(backup.createdAt.getTime());
    expect(new Date(w.updateTime).getTime()).toBe(backup.updatedAt.getTime());
    expect(w.deleteTime).toBe('0001-01-01T00:00:00Z');
  });

  it('is the same list with or without the trailing slash', async () => {
    const [a, b] = await Promise.all([get(operator, '/api/v1/workflow/'), get(operator, '/api/v1/workflow')]);
    expect(a.json()).toEqual(b.json());
  });
});

describe('TiEM GET /api/v1/workflow/{id}', () => {
  it('answers in exactly the seed sample shape, nodes in execution order, nodeNames the success path', async () => {
    const response = await get(operator, `/api/v1/workflow/${backup.id}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(shapeDifferences(body, TIEM_DETAIL_SAMPLE)).toEqual([]);
    expect(body.data.info.id).toBe(backup.id);
    expect(body.data.nodes.map((n: { name: string }) => n.name)).toEqual(['backup', 'updateBackupRecord', 'end']);
    expect(body.data.nodes[0].result).toBe(
      `get cluster ${backup.bizId} tidb address: 127.0.0.1:4000 \nconvert storage type: s3 \nbackup cluster ${backup.bizId} \nCompleted.\n`,
    );
    expect(body.data.nodes[2]).toMatchObject({ result: 'Completed.\n', parameters: '', status: 'Finished' });
    expect(body.data.nodeNames).toEqual(['backup', 'updateBackupRecord', 'end']);
  });

  it('lists a DAG with parallel nodes in the order they ran', async () => {
    const body = (await get(operator, `/api/v1/workflow/${check.id}`)).json();
    expect(body.data.nodes).toHaveLength(4);
    expect(body.data.nodes.at(-1).name).toBe('end');
    expect(body.data.nodeNames).toEqual(['checkClusters', 'checkHosts', 'buildReport', 'end']);
  });

  it('stops the node list at the first failed node and shows it as Error', async () => {
    await api.engine.applyDefinition({
      name: 'FailsMidway',
      nodes: [
        { name: 'first', type: 'noop' },
        { name: 'boom', type: 'fail', dependsOn: ['first'], params: { message: 'disk full' } },
        { name: 'never', type: 'noop', dependsOn: ['boom'] },
      ],
    });
    const run = await api.waitForEnd(await start(operator, 'FailsMidway'));
    const body = (await get(operator, `/api/v1/workflow/${run.id}`)).json();
    expect(body.data.info.status).toBe('Error');
    expect(body.data.nodes.map((n: { name: string; status: string }) => [n.name, n.status])).toEqual([
      ['first', 'Finished'],
      ['boom', 'Error'],
    ]);
    expect(body.data.nodes[1].parameters).toBe('{"message":"disk full"}');
    expect(body.data.nodes[1].result).toContain('disk full');
    expect(body.data.nodeNames).toEqual(['first', 'boom', 'never']);
  });

  it('answers an unknown or malformed id with 404 and code 40102', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'xxxxxxx']) {
      const response = await get(operator, `/api/v1/workflow/${id}`);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 40102, data: {} });
    }
  });
});

describe('TiEM list filters and pages', () => {
  let org: string;
  let ids: string[];
  beforeAll(async () => {
    org = await api.token('operator', { orgId: 'tiem-filters' });
    ids = [];
    for (let i = 0; i < 5; i++) ids.push(await start(org, 'BackupCluster', { bizType: i % 2 ? 'odd' : 'even', bizId: `cluster-${i}` }));
    for (const id of ids.slice(0, 3)) await api.waitForEnd(id);
    await api.waitForEnd(await start(org, 'CheckPlatform', { bizType: 'checkReport' }));
    for (const id of ids.slice(3)) await api.waitForEnd(id);
  });
  const list = async (query: string) => {
    const response = await get(org, `/api/v1/workflow/?${query}`);
    expect(response.statusCode, query).toBe(200);
    return response.json() as { data: { workFlows: { id: string; name: string; bizId: string; status: string }[] }; page: { total: number } };
  };

  it('lists newest first and counts every match in page.total', async () => {
    const body = await list('pageSize=2');
    expect(body.page).toEqual({ page: 1, pageSize: 2, total: 6 });
    expect(body.data.workFlows).toHaveLength(2);
    const all = await list('pageSize=100');
    expect(all.data.workFlows.filter((w) => w.name === 'BackupCluster').map((w) => w.id)).toEqual([...ids].reverse());
  });

  it('filters by flowName as a substring, case-insensitively', async () => {
    expect((await list('flowName=platf')).data.workFlows.map((w) => w.name)).toEqual(['CheckPlatform']);
    expect((await list('flowName=Backup')).page.total).toBe(5);
    expect((await list('flowName=nothing')).data.workFlows).toEqual([]);
  });

  it('filters by bizId and bizType', async () => {
    expect((await list('bizId=cluster-3')).data.workFlows.map((w) => w.id)).toEqual([ids[3]]);
    expect((await list('bizType=odd')).page.total).toBe(2);
    expect((await list('bizType=odd&bizId=cluster-0')).page.total).toBe(0);
  });

  it('filters by TiEM status words mapped back to engine statuses', async () => {
    expect((await list('status=Finished')).page.total).toBe(6);
    expect((await list('status=finished')).page.total).toBe(6);
    for (const status of ['Initializing', 'Processing', 'Stopped', 'Error', 'Canceled', 'Canceling']) {
      expect((await list(`status=${status}`)).page.total, status).toBe(0);
    }
  });

  it('pages: the second page continues the first, a page past the end is empty with the total', async () => {
    const [p1, p2, p3] = [await list('page=1&pageSize=4'), await list('page=2&pageSize=4'), await list('page=3&pageSize=4')];
    expect([...p1.data.workFlows, ...p2.data.workFlows].map((w) => w.id)).toEqual((await list('pageSize=10')).data.workFlows.map((w) => w.id));
    expect(p3.data.workFlows).toEqual([]);
    expect(p3.page).toEqual({ page: 3, pageSize: 4, total: 6 });
    expect((await list('page=1000000&pageSize=500')).data.workFlows).toEqual([]);
  });

  it('answers bad page parameters and unknown statuses with 400 and code 10004 saying what is wrong', async () => {
    const cases = {
      'page=0': 'page',
      'page=-1': 'page',
      'page=abc': 'page',
      'pageSize=0': 'pageSize',
      'pageSize=-5': 'pageSize',
      'pageSize=100000': 'pageSize',
      'status=Done': 'status',
    };
    for (const [query, field] of Object.entries(cases)) {
      const response = await get(org, `/api/v1/workflow/?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json(), query).toMatchObject({ code: 10004, data: {} });
      expect(response.json().message, query).toContain(field);
    }
  });

  it('shows a caller only its own org', async () => {
    const body = await list('pageSize=100');
    expect(body.data.workFlows.map((w) => w.id)).not.toContain(backup.id);
    const other = await get(org, `/api/v1/workflow/${backup.id}`);
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe(40102);
  });
});

describe('TiEM auth', () => {
  it('answers a missing or unknown token with 401 and code 70600', async () => {
    for (const token of [undefined, 'not-a-token']) {
      const response = await get(token, '/api/v1/workflow/');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 70600, data: {} });
    }
  });

  it('answers an expired token with 401 and code 70602', async () => {
    const expired = await api.token('reader', { expiresAt: new Date(Date.now() - 1000) });
    const response = await get(expired, '/api/v1/workflow/');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 70602, data: {} });
  });

  it('does not take an EnOS token', async () => {
    const enos = await api.token('reader', { kind: 'enos' });
    expect((await get(enos, '/api/v1/workflow/')).json().code).toBe(70600);
  });

  it('answers a reader that stops a flow with 403 and code 70650', async () => {
    const reader = await api.token('reader');
    const response = await api.call(reader, { method: 'POST', url: '/api/v1/workflow/stop', payload: { workFlowId: backup.id } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 70650, data: {} });
  });

  it('answers an unknown TiEM route in the TiEM error shape', async () => {
    const response = await get(operator, '/api/v1/nothing');
    expect(response.statusCode).toBe(404);
    expect(Object.keys(response.json())).toEqual(['code', 'message', 'data']);
  });
});
