import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;
let operator: string;

beforeAll(async () => {
  api = await startApiFixture();
  operator = await api.token('operator');
});
afterAll(async () => {
  await api.close();
});

describe('POST /v1/runs and GET /v1/runs/{id}', () => {
  it('starts a run and reads it back with its nodes', async () => {
    const started = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster', bizId: 'c1' } });
    expect(started.statusCode).toBe(201);
    const body = started.json();
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.nodes.map((n: { name: string }) => n.name)).toEqual(['backup', 'updateBackupRecord', 'end']);
    const read = await api.call(operator, { method: 'GET', url: `/v1/runs/${body.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: body.id, workflow: 'BackupCluster', bizId: 'c1', status: 'READY', statusCode: 6 });
  });

  it('says what a READY node waits for when no live worker serves its handler (this fixture runs no worker)', async () => {
    const started = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster' } });
    const read = (await api.call(operator, { method: 'GET', url: `/v1/runs/${started.json().id}` })).json();
    expect(read.nodes.map((n: { name: string; status: string; waitingFor: string | null }) => [n.name, n.status, n.waitingFor])).toEqual([
      ['backup', 'READY', 'a worker that serves BackupCluster.backup'],
      ['updateBackupRecord', 'WAIT', null],
      ['end', 'WAIT', null],
    ]);
  });

  it('makes exactly one run of 20 concurrent starts with the same idempotency key', async () => {
    const payload = { workflow: 'BackupCluster', idempotencyKey: 'nightly-2026-11-25' };
    const responses = await Promise.all(Array.from({ length: 20 }, () => api.call(operator, { method: 'POST', url: '/v1/runs', payload })));
    const ids = new Set(responses.map((r) => r.json().id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(19);
    const listed = await api.call(operator, { method: 'GET', url: `/v1/runs?bizId=${responses[0]!.json().bizId}` });
    expect(listed.json().items).toHaveLength(1);
  });

  it('starts a run with a priority, shown on the run; one out of range is a 400', async () => {
    const started = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster', priority: 50 } });
    expect(started.statusCode).toBe(201);
    expect(started.json().priority).toBe(50);
    expect((await api.call(operator, { method: 'GET', url: `/v1/runs/${started.json().id}` })).json().priority).toBe(50);
    const refused = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster', priority: 5000 } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toContain('priority');
  });

  it('shows a run over its workflow\'s concurrency limit READY, its root WAIT waiting for a free slot', async () => {
    await api.engine.applyDefinition({ name: 'OnePerKey', concurrency: { limit: 1, key: 'k' }, nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', dependsOn: ['a'] }] });
    const start = async () => (await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'OnePerKey', input: { k: 'x' } } })).json();
    const first = await start();
    const second = await start();
    const read = async (id: string) => (await api.call(operator, { method: 'GET', url: `/v1/runs/${id}` })).json();
    expect((await read(first.id)).nodes.map((n: { status: string }) => n.status)).toEqual(['READY', 'WAIT']);
    const held = await read(second.id);
    expect(held.status).toBe('READY');
    expect(held.nodes.map((n: { status: string; waitingFor: string | null }) => [n.status, n.waitingFor])).toEqual([
      ['WAIT', "a free slot of its workflow's concurrency limit"],
      ['WAIT', null],
    ]);
  });

  it('answers an unknown workflow with 404 DEFINITION_NOT_FOUND', async () => {
    const response = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Nope' } });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('DEFINITION_NOT_FOUND');
  });

  it('answers a malformed body with 400 saying what was wrong', async () => {
    const response = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 7 } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(response.json().error.message).toContain('workflow');
  });

  it('answers input Postgres cannot store (U+0000) with 400, not 500', async () => {
    const response = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster', input: { note: 'a\u0000b' } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers invalid JSON with 400, not 500', async () => {
    const response = await api.call(operator, {
      method: 'POST',
      url: '/v1/runs',
      headers: { 'content-type': 'application/json' },
      payload: '{"workflow":',
    });
    expect(response.statusCode).toBe(400);
  });

  it('answers an unknown run id with 404 RUN_NOT_FOUND', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not-an-id']) {
      const response = await api.call(operator, { method: 'GET', url: `/v1/runs/${id}` });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('RUN_NOT_FOUND');
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await api.call(operator, { method: 'GET', url: '/v1/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('answers an operation the state machine forbids with 409 INVALID_TRANSITION', async () => {
    const started = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster' } });
    const response = await api.call(operator, { method: 'POST', url: `/v1/runs/${started.json().id}/resume` });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('INVALID_TRANSITION');
  });

  it('answers a skip of a node the run does not have with 404 NODE_NOT_FOUND', async () => {
    const started = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster' } });
    const response = await api.call(operator, { method: 'POST', url: `/v1/runs/${started.json().id}/nodes/ghost/skip` });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: 'NODE_NOT_FOUND', details: { node: 'ghost' } });
  });

  it('reports readiness of Postgres and Redis', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.json()).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok' });
  });
});

describe('GET /v1/runs', () => {
  it('pages newest first by cursor without duplicates or gaps', async () => {
    const bizType = 'paging';
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster', bizType } });
      ids.push(r.json().id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/runs?bizType=${bizType}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await api.call(operator, { method: 'GET', url })).json();
      seen.push(...page.items.map((r: { id: string }) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by workflow, status, bizId and time range', async () => {
    const r = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster', bizId: 'filter-me' } });
    const created = r.json().createdAt;
    const query = `workflow=BackupCluster&status=READY,6&bizId=filter-me&from=${encodeURIComponent(created)}`;
    const page = (await api.call(operator, { method: 'GET', url: `/v1/runs?${query}` })).json();
    expect(page.items.map((i: { id: string }) => i.id)).toEqual([r.json().id]);
    const none = (await api.call(operator, { method: 'GET', url: `/v1/runs?bizId=filter-me&status=SUCCESS` })).json();
    expect(none.items).toEqual([]);
  });

  it('answers a bad status, cursor or limit with 400', async () => {
    for (const query of ['status=DONE', 'cursor=zzz', 'limit=0', 'limit=100000', 'from=yesterday', 'color=red']) {
      const response = await api.call(operator, { method: 'GET', url: `/v1/runs?${query}` });
      expect(response.statusCode, query).toBe(400);
    }
  });
});
