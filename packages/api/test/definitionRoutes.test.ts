import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
});
afterAll(async () => {
  await api.close();
});

const define = (payload: object) => api.call(api.adminToken, { method: 'POST', url: '/v1/definitions', payload });

async function waitForEnd(id: string): Promise<{ status: string; nodes: { name: string; status: string }[] }> {
  for (let i = 0; i < 500; i++) {
    const run = (await api.call(api.adminToken, { method: 'GET', url: `/v1/runs/${id}` })).json();
    if (['SUCCESS', 'FAIL', 'CANCEL', 'TIMEOUT', 'INTERNAL_ERROR'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`run ${id} did not end`);
}

describe('definitions over HTTP', () => {
  it.each([
    ['a cycle', [{ name: 'a', type: 'noop', dependsOn: ['b'] }, { name: 'b', type: 'noop', dependsOn: ['a'] }], 'cycle'],
    ['an unknown dependency', [{ name: 'a', type: 'noop', dependsOn: ['ghost'] }], 'ghost'],
    ['a duplicate name', [{ name: 'a', type: 'noop' }, { name: 'a', type: 'noop' }], 'twice'],
    ['an unknown type', [{ name: 'a', type: 'teleport' }], 'teleport'],
  ])('refuses %s with a 400 naming the node', async (_what, nodes, words) => {
    const response = await define({ name: 'Bad', nodes });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('DAG_INVALID');
    expect(response.json().error.details.node).toBe('a');
    expect(response.json().error.message).toContain(words);
  });

  it('refuses a malformed node with a 400 saying which field', async () => {
    const response = await define({ name: 'Bad', nodes: [{ name: 'a', type: 'sleep', retries: -1 }] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('nodes.0.retries');
  });

  it('creates, refuses a second create (409), updates to a new version, and deletes', async () => {
    const spec = { name: 'Versioned', nodes: [{ name: 'a', type: 'noop' }] };
    expect((await define(spec)).json()).toMatchObject({ name: 'Versioned', version: 1 });
    expect((await define(spec)).statusCode).toBe(409);
    const updated = await api.call(api.adminToken, {
      method: 'PUT',
      url: '/v1/definitions/Versioned',
      payload: { ...spec, nodes: [...spec.nodes, { name: 'b', type: 'noop', dependsOn: ['a'] }] },
    });
    expect(updated.json()).toMatchObject({ version: 2 });
    const listed = (await api.call(api.adminToken, { method: 'GET', url: '/v1/definitions' })).json();
    expect(listed.items.map((d: { name: string }) => d.name)).toContain('Versioned');
    expect((await api.call(api.adminToken, { method: 'DELETE', url: '/v1/definitions/Versioned' })).statusCode).toBe(204);
    expect((await api.call(api.adminToken, { method: 'GET', url: '/v1/definitions/Versioned' })).statusCode).toBe(404);
  });

  it('returns the schedules a definition declares', async () => {
    const created = await define({
      name: 'Nightly',
      nodes: [{ name: 'a', type: 'noop' }],
      schedules: [{ name: 'nightly', expression: '0 0 23 * * ?', timeZone: 'Asia/Shanghai', paused: true }],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().schedules).toMatchObject([{ name: 'nightly', expression: '0 0 23 * * ?', timeZone: 'Asia/Shanghai' }]);
    const read = await api.call(api.adminToken, { method: 'GET', url: '/v1/definitions/Nightly' });
    expect(read.json().schedules).toHaveLength(1);
  });

  it('a run keeps the version it started on when the definition changes', async () => {
    await define({ name: 'Pinned', nodes: [{ name: 'wait', type: 'sleep', params: { ms: 300 } }] });
    const run = (await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Pinned' } })).json();
    await api.call(api.adminToken, {
      method: 'PUT',
      url: '/v1/definitions/Pinned',
      payload: { name: 'Pinned', nodes: [{ name: 'other', type: 'noop' }] },
    });
    const done = await waitForEnd(run.id);
    expect(done.status).toBe('SUCCESS');
    expect(done.nodes.map((n) => n.name)).toEqual(['wait']);
  });

  it('defines a 3-node DAG of built-in types, runs it to SUCCESS, and cancels another run', async () => {
    const created = await define({
      name: 'Tour',
      nodes: [
        { name: 'prepare', type: 'noop', params: { region: 'eu' } },
        { name: 'work', type: 'sleep', dependsOn: ['prepare'], params: { ms: 50 } },
        { name: 'finish', type: 'noop', dependsOn: ['work'] },
      ],
    });
    expect(created.statusCode).toBe(201);
    const first = (await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Tour' } })).json();
    expect((await waitForEnd(first.id)).status).toBe('SUCCESS');

    await define({ name: 'Long', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 30_000 } }] });
    const second = (await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Long' } })).json();
    const cancel = await api.call(api.adminToken, { method: 'POST', url: `/v1/runs/${second.id}/cancel` });
    expect(cancel.statusCode).toBe(200);
    expect((await waitForEnd(second.id)).status).toBe('CANCEL');
  });
});
