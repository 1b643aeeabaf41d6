import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;
let operator: string;

const batch = (token: string, payload: unknown) => api.call(token, { method: 'POST', url: '/v1/runs:batch', payload: payload as object });

beforeAll(async () => {
  api = await startApiFixture();
  operator = await api.token('operator');
  const defined = await api.call(api.adminToken, {
    method: 'POST',
    url: '/v1/definitions',
    payload: { name: 'Typed', input: { type: 'object', properties: { cluster: { type: 'string' } }, required: ['cluster'] }, nodes: [{ name: 'a', type: 'noop' }] },
  });
  expect(defined.statusCode).toBe(201);
});
afterAll(async () => {
  await api.close();
});

describe('POST /v1/runs:batch', () => {
  it('starts 1,000 runs in one request, each answered in order, all written with their nodes', async () => {
    const runs = Array.from({ length: 1000 }, (_, i) => ({ workflow: 'BackupCluster', bizId: `bulk-${i}`, input: { i } }));
    const response = await batch(operator, { runs });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ created: 1000, existing: 0, failed: 0 });
    expect(body.items.map((item: { run: { bizId: string } }) => item.run.bizId)).toEqual(runs.map((r) => r.bizId));
    const one = await api.call(operator, { method: 'GET', url: `/v1/runs/${body.items[999].run.id}` });
    expect(one.json()).toMatchObject({ bizId: 'bulk-999', status: 'READY', input: { i: 999 } });
    expect(one.json().nodes).toHaveLength(3);
  });

  it('reports each failed start in its item and starts the others', async () => {
    const response = await batch(operator, {
      runs: [{ workflow: 'BackupCluster', bizId: 'ok-1' }, { workflow: 'Nope' }, { workflow: 'Typed', input: { cluster: 7 } }, { workflow: 'Typed', input: { cluster: 'c' } }],
    });
    expect(response.statusCode).toBe(200);
    const { items, created, failed } = response.json();
    expect([created, failed]).toEqual([2, 2]);
    expect(items[0]).toMatchObject({ created: true, run: { workflow: 'BackupCluster', bizId: 'ok-1', status: 'READY' } });
    expect(items[1]).toEqual({ error: { code: 'DEFINITION_NOT_FOUND', message: expect.any(String) } });
    expect(items[2].error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(items[2].error.message).toContain('cluster');
    expect(items[3]).toMatchObject({ created: true, run: { workflow: 'Typed' } });
  });

  it('makes one run per idempotency key, within a batch and across batches', async () => {
    const runs = [
      { workflow: 'BackupCluster', idempotencyKey: 'same' },
      { workflow: 'BackupCluster', idempotencyKey: 'same' },
    ];
    const first = (await batch(operator, { runs })).json();
    expect([first.created, first.existing]).toEqual([1, 1]);
    expect(first.items[1].run.id).toBe(first.items[0].run.id);
    const again = (await batch(operator, { runs: runs.slice(0, 1) })).json();
    expect(again.items[0]).toMatchObject({ created: false, run: { id: first.items[0].run.id } });
  });

  it("writes runs into the caller's org: another org's definitions are not found, its keys do not collide", async () => {
    const orgAdmin = await api.token('admin', { orgId: 'org-a' });
    const defined = await api.call(orgAdmin, { method: 'POST', url: '/v1/definitions', payload: { name: 'Private', nodes: [{ name: 'a', type: 'noop' }] } });
    expect(defined.statusCode).toBe(201);
    expect((await batch(await api.token('operator', { orgId: 'org-a' }), { runs: [{ workflow: 'Private' }] })).json().created).toBe(1);
    const other = await api.token('operator', { orgId: 'other-org' });
    const response = (await batch(other, { runs: [{ workflow: 'Private' }, { workflow: 'BackupCluster', idempotencyKey: 'same' }] })).json();
    expect(response.items[0].error.code).toBe('DEFINITION_NOT_FOUND');
    // BackupCluster is the shared catalog's: started, as the other org's own run, its key unused there.
    expect(response.items[1]).toMatchObject({ created: true });
    const listed = await api.call(other, { method: 'GET', url: '/v1/runs' });
    expect(listed.json().items.map((r: { id: string }) => r.id)).toEqual([response.items[1].run.id]);
  });

  it('refuses a bad batch as a whole with 400: empty, over 1,000, a malformed start', async () => {
    for (const payload of [{ runs: [] }, { runs: Array.from({ length: 1001 }, () => ({ workflow: 'BackupCluster' })) }, { runs: [{ workflow: 'BackupCluster' }, { workflow: 7 }] }, { runs: 'x' }, {}]) {
      const response = await batch(operator, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('is refused to a reader (403) and without a token (401)', async () => {
    const reader = await api.token('reader');
    expect((await batch(reader, { runs: [{ workflow: 'BackupCluster' }] })).statusCode).toBe(403);
    expect((await api.call(undefined, { method: 'POST', url: '/v1/runs:batch', payload: { runs: [{ workflow: 'BackupCluster' }] } })).statusCode).toBe(401);
  });
});
