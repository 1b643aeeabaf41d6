import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * A map node defined in JSON (`map: { over }`) and what the API shows of its
 * run: each element a node of its own, named `<map>[<index>]`, with its map,
 * index and item in the native view and among TiEM's executed nodes.
 */
let api: ApiFixture;
let operator: string;

const BACKUPS = {
  name: 'BackupEach',
  nodes: [
    { name: 'list', type: 'noop', params: { clusters: ['alpha', 'beta', 'gamma'] } },
    { name: 'backup', type: 'noop', dependsOn: ['list'], map: { over: 'list.clusters', maxConcurrency: 2 }, params: { mode: 'full' } },
    { name: 'report', type: 'noop', dependsOn: ['backup'] },
  ],
};

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  operator = await api.token('operator');
  expect((await api.call(api.adminToken, { method: 'POST', url: '/v1/definitions', payload: BACKUPS })).statusCode).toBe(201);
});
afterAll(async () => {
  await api.close();
});

describe('map nodes on the API', () => {
  it('a run shows one node per element, with its map, index and item, after the declared nodes', async () => {
    const started = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupEach' } });
    expect(started.statusCode).toBe(201);
    const run = await api.waitForEnd(started.json().id);
    expect(run.statusName).toBe('SUCCESS');
    const view = (await api.call(operator, { method: 'GET', url: `/v1/runs/${run.id}` })).json();
    expect(view.nodes.map((n: { name: string; status: string }) => `${n.name}:${n.status}`)).toEqual([
      'list:SUCCESS', 'backup:SUCCESS', 'report:SUCCESS', 'backup[0]:SUCCESS', 'backup[1]:SUCCESS', 'backup[2]:SUCCESS',
    ]);
    const [first] = view.nodes.filter((n: { mapOf: string | null }) => n.mapOf === 'backup');
    expect(first).toMatchObject({ name: 'backup[0]', type: 'noop', mapOf: 'backup', index: 0, item: 'alpha', parameters: { mode: 'full' } });
    expect(view.nodes[0]).toMatchObject({ mapOf: null, index: null, item: null });
    expect(view.nodes[1].output).toEqual([{ mode: 'full' }, { mode: 'full' }, { mode: 'full' }]);

    const tiem = (await api.call(operator, { method: 'GET', url: `/api/v1/workflow/${run.id}` })).json();
    expect(tiem.data.nodes.map((n: { name: string }) => n.name)).toEqual(expect.arrayContaining(['backup[0]', 'backup[1]', 'backup[2]']));
  });

  it('refuses a map over a node it does not depend on, or a path that is not one, with a 400 naming it', async () => {
    const notAParent = { name: 'BadMap', nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', map: { over: 'a.items' } }] };
    const refused = await api.call(api.adminToken, { method: 'POST', url: '/v1/definitions', payload: notAParent });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'DAG_INVALID', details: { node: 'b' } });
    expect(refused.json().error.message).toMatch(/maps over a, which it does not depend on/);
    const badPath = { name: 'BadMap', nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', dependsOn: ['a'], map: { over: 'a.__proto__..x' } }] };
    expect((await api.call(api.adminToken, { method: 'POST', url: '/v1/definitions', payload: badPath })).statusCode).toBe(400);
  });
});
