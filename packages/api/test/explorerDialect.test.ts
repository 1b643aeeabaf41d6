import { CredentialAuthority, SecretSeal } from '@flowline/engine';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';
import { EXPLORER_JOB_DETAIL, EXPLORER_JOB_LIST } from './golden/explorerSamples.ts';
import { shapeDifferences } from './golden/sameShape.ts';

let api: ApiFixture;
let cookie: string;
let readerCookie: string;
let workflowId: string;

const account = (user: string, password: string) => Buffer.from(JSON.stringify([user, password])).toString('base64');

async function connect(authorization: string): Promise<LightMyRequestResponse> {
  return api.app.inject({
    method: 'POST',
    url: '/api-open/v1/connect',
    headers: { authorization, 'content-type': 'application/json' },
    payload: { address: '192.168.8.111', port: 9669 },
  });
}

async function explorerUser(role: 'reader' | 'operator', user: string): Promise<string> {
  const issued = await api.authority.issue({ kind: 'explorer', role, orgId: 'default', accessKey: user });
  const response = await connect(`Bearer ${account(user, issued.secret)}`);
  return response.headers['set-cookie']!.toString().split(';')[0]!;
}

const get = (url: string, sessionCookie = cookie) =>
  api.app.inject({ method: 'GET', url, headers: { cookie: sessionCookie, 'content-type': 'application/json' } });

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  cookie = await explorerUser('operator', 'root');
  readerCookie = await explorerUser('reader', 'viewer');
  workflowId = String((await api.engine.getDefinition('BackupCluster', 'default')).id);
});
afterAll(async () => {
  await api.close();
});

describe('POST /api-open/v1/connect', () => {
  it('accepts the JSON-array account and sets the explorer_token cookie exactly as Explorer does', async () => {
    const issued = await api.authority.issue({ kind: 'explorer', role: 'reader', orgId: 'default', accessKey: 'json_user' });
    const response = await connect(`Bearer ${account('json_user', issued.secret)}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ code: 0, data: { success: true }, message: 'Success' });
    expect(response.headers['set-cookie']).toMatch(/^explorer_token=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=259200; HttpOnly; SameSite=Lax$/);
  });

  it('accepts the older base64 of user:password', async () => {
    const issued = await api.authority.issue({ kind: 'explorer', role: 'reader', orgId: 'default', accessKey: 'colon_user' });
    const response = await connect(`Bearer ${Buffer.from(`colon_user:${issued.secret}`).toString('base64')}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['set-cookie']).toMatch(/^explorer_token=/);
  });

  it('refuses a wrong password, a garbled header or no header with 401 and 40104000', async () => {
    for (const authorization of [`Bearer ${account('root', 'wrong')}`, 'Bearer !!!', 'Basic abc', '']) {
      const response = await connect(authorization);
      expect(response.statusCode, authorization).toBe(401);
      expect(response.json()).toMatchObject({ code: 40104000 });
    }
  });

  it('answers a body without address or port with 400 and 40004001', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api-open/v1/connect',
      headers: { authorization: `Bearer ${account('root', 'x')}`, 'content-type': 'application/json' },
      payload: { address: 'a' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 40004001 });
  });
});

describe('sessions', () => {
  it('accepts the token as a cookie or as an explorer_token header', async () => {
    expect((await get('/api-open/v1/jobs')).statusCode).toBe(200);
    const token = cookie.split('=')[1]!;
    const byHeader = await api.app.inject({ method: 'GET', url: '/api-open/v1/jobs', headers: { explorer_token: token } });
    expect(byHeader.statusCode).toBe(200);
  });

  it('refuses a missing or unknown token with 401 and 40104000', async () => {
    for (const sessionCookie of ['', 'explorer_token=nope']) {
      const response = await get('/api-open/v1/jobs', sessionCookie);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ code: 40104000, message: expect.any(String) });
    }
  });

  it('ends a session 259200 s after connect', async () => {
    let now = new Date();
    const clocked = new CredentialAuthority(api.engineOptions.db, new SecretSeal('unused-for-explorer-passwords'), () => now);
    const issued = await clocked.issue({ kind: 'explorer', role: 'reader', orgId: 'default', accessKey: 'clock_user' });
    const { token } = await clocked.openSession(await clocked.authenticatePassword('explorer', 'clock_user', issued.secret), 259_200);
    now = new Date(now.getTime() + 259_199_000);
    await expect(clocked.authenticateSession(token)).resolves.toMatchObject({ orgId: 'default', role: 'reader' });
    now = new Date(now.getTime() + 2_000);
    await expect(clocked.authenticateSession(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses the session of a revoked credential', async () => {
    const issued = await api.authority.issue({ kind: 'explorer', role: 'reader', orgId: 'default', accessKey: 'revoked_user' });
    const sessionCookie = (await connect(`Bearer ${account('revoked_user', issued.secret)}`)).headers['set-cookie']!.toString().split(';')[0]!;
    expect((await get('/api-open/v1/jobs', sessionCookie)).statusCode).toBe(200);
    await api.authority.revoke('default', issued.id);
    expect((await get('/api-open/v1/jobs', sessionCookie)).statusCode).toBe(401);
  });
});

describe('jobs', () => {
  const jobIds: number[] = [];

  beforeAll(async () => {
    await api.engine.applyDefinition({ name: 'SlowFlow', nodes: [{ name: 'wait', type: 'sleep', params: { ms: 60_000 } }] });
    for (let i = 0; i < 3; i++) {
      const response = await api.app.inject({
        method: 'POST',
        url: `/api-open/v1/workflows/${workflowId}/jobs`,
        headers: { cookie, 'content-type': 'application/json' },
        payload: { input: { round: i } },
      });
      expect(response.statusCode).toBe(200);
      jobIds.push(response.json().data.id);
    }
  });

  it('starts a job of a workflow and returns its numeric id', () => {
    expect(jobIds.every((id) => Number.isInteger(id))).toBe(true);
    expect(jobIds[1]).toBeGreaterThan(jobIds[0]!);
  });

  it('lists jobs in the seed shape, key by key', async () => {
    const response = await get('/api-open/v1/jobs?pageSize=10&page=1');
    const body = response.json();
    expect(shapeDifferences(body, EXPLORER_JOB_LIST)).toEqual([]);
    expect(body).toMatchObject({ code: 0, message: 'Success', data: { total: 3, Page: 1, PageSize: 10 } });
    const item = body.data.items[0];
    expect(item).toMatchObject({ id: jobIds[2], workflowId, workflowName: 'BackupCluster' });
    expect(item.name).toMatch(/^BackupCluster_\d{14}$/);
    expect(typeof item.createTime).toBe('number');
    expect([0, 1, 2]).toContain(item.status);
  });

  it('filters by the seed request: a URL-encoded status and ascending order', async () => {
    await waitUntilDone(jobIds);
    const filter = encodeURIComponent('{ "status": 2,  "orderByCreateTime": "asc"}');
    const body = (await get(`/api-open/v1/jobs?filter=${filter}&pageSize=10&page=1`)).json();
    expect(body.data.items.map((i: { id: number }) => i.id)).toEqual(jobIds);
    expect(body.data.items.every((i: { status: number; runEndTime: number; runBeginTime: number }) => i.status === 2 && i.runEndTime >= i.runBeginTime && i.runBeginTime > 0)).toBe(true);
    const none = (await get(`/api-open/v1/jobs?filter=${encodeURIComponent('{"status":3}')}`)).json();
    expect(none.data).toMatchObject({ items: [], total: 0 });
  });

  it('filters by a job name and by create time range', async () => {
    const all = (await get('/api-open/v1/jobs')).json().data.items;
    const first = all[all.length - 1];
    const byName = (await get(`/api-open/v1/jobs?filter=${encodeURIComponent(JSON.stringify({ name: first.name }))}`)).json();
    expect(byName.data.items.map((i: { id: number }) => i.id)).toContain(first.id);
    expect(byName.data.items.every((i: { name: string }) => i.name === first.name)).toBe(true);
    const range = { fromCreateTime: first.createTime, toCreateTime: first.createTime };
    const byTime = (await get(`/api-open/v1/jobs?filter=${encodeURIComponent(JSON.stringify(range))}`)).json();
    expect(byTime.data.items.map((i: { id: number }) => i.id)).toEqual([first.id]);
  });

  it('pages with page and pageSize, total counting every match', async () => {
    const pages = await Promise.all([1, 2].map(async (page) => (await get(`/api-open/v1/jobs?pageSize=2&page=${page}`)).json().data));
    expect(pages.map((p) => p.total)).toEqual([3, 3]);
    expect([...pages[0].items, ...pages[1].items].map((i: { id: number }) => i.id)).toEqual([...jobIds].reverse());
  });

  it('lists the jobs of one workflow', async () => {
    const body = (await get(`/api-open/v1/workflows/${workflowId}/jobs`)).json();
    expect(body.data.total).toBe(3);
    expect((await get('/api-open/v1/workflows/99999999/jobs')).json()).toMatchObject({ code: 40404000 });
  });

  it('shows a job with its tasks, RFC 3339 times and 32-hex task ids', async () => {
    const body = (await get(`/api-open/v1/jobs/${jobIds[0]}`)).json();
    expect(shapeDifferences(body, EXPLORER_JOB_DETAIL)).toEqual([]);
    expect(body.data.tasks.map((t: { name: string }) => t.name)).toEqual(['backup', 'updateBackupRecord', 'end']);
    const task = body.data.tasks[0];
    expect(task.id).toMatch(/^[0-9a-f]{32}$/);
    expect(task.runBeginTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(task.status).toBe(2);
  });

  it('cancels a running job, and refuses to cancel a finished one with 400', async () => {
    const slowId = (await api.engine.getDefinition('SlowFlow', 'default')).id;
    const started = await api.app.inject({ method: 'POST', url: `/api-open/v1/workflows/${slowId}/jobs`, headers: { cookie, 'content-type': 'application/json' } });
    expect(started.json(), started.body).toMatchObject({ code: 0 });
    const id = started.json().data.id;
    const cancel = () =>
      api.app.inject({ method: 'PUT', url: `/api-open/v1/jobs/${id}/cancel`, headers: { cookie, 'content-type': 'application/json' } });
    const first = await cancel();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ code: 0, data: { success: true }, message: 'Success' });
    // 5 while the running sleep is being aborted (cancel asked, not yet done), then 4.
    await waitForStatus(id, 4);
    const again = await cancel();
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 40004000 });
  });

  it('shows a suspended job as 5 and finds it by status 5, not by 1', async () => {
    const slowId = (await api.engine.getDefinition('SlowFlow', 'default')).id;
    const id = (await api.app.inject({ method: 'POST', url: `/api-open/v1/workflows/${slowId}/jobs`, headers: { cookie, 'content-type': 'application/json' } })).json().data.id;
    const uuid = (await api.engine.listRuns({ orgId: 'default' }, { limit: 1, beforeSeq: id + 1 })).runs[0]!.id;
    await api.engine.suspendRun(uuid);
    const byStatus = async (status: number) =>
      (await get(`/api-open/v1/workflows/${slowId}/jobs?filter=${encodeURIComponent(JSON.stringify({ status }))}`)).json().data.items.map((i: { id: number }) => i.id);
    expect((await get(`/api-open/v1/jobs/${id}`)).json().data.status).toBe(5);
    expect(await byStatus(5)).toContain(id);
    expect(await byStatus(1)).not.toContain(id);
    await api.engine.cancelRun(uuid);
  });

  it('lets a reader read but not start or cancel (403, 40304000)', async () => {
    expect((await get('/api-open/v1/jobs', readerCookie)).statusCode).toBe(200);
    const start = await api.app.inject({ method: 'POST', url: `/api-open/v1/workflows/${workflowId}/jobs`, headers: { cookie: readerCookie, 'content-type': 'application/json' } });
    expect(start.statusCode).toBe(403);
    expect(start.json()).toMatchObject({ code: 40304000 });
  });
});

describe('client mistakes are 4xx in Explorer shape', () => {
  it('answers a malformed filter with 400, not 500', async () => {
    const filters = ['{"status":', '{"status":"done"}', '[1,2', '{"orderByCreateTime":"sideways"}', '{"fromCreateTime":9007199254740991}', '{"toCreateTime":-1}', '{"status":2.5}'];
    for (const filter of filters) {
      const response = await get(`/api-open/v1/jobs?filter=${encodeURIComponent(filter)}`);
      expect(response.statusCode, filter).toBe(400);
      expect(response.json()).toMatchObject({ code: 40004001 });
    }
  });

  it('answers bad paging, a non-numeric id, an unknown job and an unknown route', async () => {
    const cases: [string, number, number][] = [
      ['/api-open/v1/jobs?page=0', 400, 40004001],
      ['/api-open/v1/jobs?pageSize=abc', 400, 40004001],
      ['/api-open/v1/jobs?page=100000&pageSize=1000', 400, 40004001],
      ['/api-open/v1/jobs/abc', 400, 40004001],
      ['/api-open/v1/jobs/987654321', 404, 40404000],
      ['/api-open/v1/nothing', 404, 40404000],
    ];
    for (const [url, status, code] of cases) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(status);
      expect(response.json(), url).toMatchObject({ code });
    }
  });

  it('answers invalid JSON in a body with 400', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: `/api-open/v1/workflows/${workflowId}/jobs`,
      headers: { cookie, 'content-type': 'application/json' },
      payload: '{"input":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 40004000 });
  });
});

async function waitForStatus(id: number, status: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await get(`/api-open/v1/jobs/${id}`)).json().data.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${id} never reached status ${status}`);
}

async function waitUntilDone(ids: readonly number[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const statuses = await Promise.all(ids.map(async (id) => (await get(`/api-open/v1/jobs/${id}`)).json().data.status));
    if (statuses.every((s) => s === 2 || s === 3)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('jobs did not finish');
}
