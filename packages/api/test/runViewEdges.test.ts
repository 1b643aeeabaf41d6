import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture();
});
afterAll(async () => {
  await api.close();
});

describe('GET /v1/runs/{id} node edges', () => {
  it("carries each node's dependsOn from the run's own definition version, not the latest", async () => {
    const chain = { name: 'Edges', nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', dependsOn: ['a'] }] };
    expect((await api.call(api.adminToken, { method: 'POST', url: '/v1/definitions', payload: chain })).statusCode).toBe(201);
    const started = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Edges' } });
    expect(started.json().nodes.map((n: { dependsOn: string[] }) => n.dependsOn)).toEqual([[], ['a']]);

    const parallel = { name: 'Edges', nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop' }] };
    expect((await api.call(api.adminToken, { method: 'PUT', url: '/v1/definitions/Edges', payload: parallel })).statusCode).toBe(200);
    const read = await api.call(api.adminToken, { method: 'GET', url: `/v1/runs/${started.json().id}` });
    expect(read.json().nodes.map((n: { name: string; dependsOn: string[] }) => [n.name, n.dependsOn])).toEqual([
      ['a', []],
      ['b', ['a']],
    ]);
  });
});
