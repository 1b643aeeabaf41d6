import type { DefinitionSummary } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';
import { pandoraCall, type KeyPair } from './surfaceCalls.ts';

/**
 * The shared catalog (org default's definitions, BackupCluster among them),
 * consistently: what an org may start it may also list and read, marked
 * shared; it may not change it; and Pandora's `canStart` says what its start
 * then does.
 */

const ORG = 'tenant-org';
let api: ApiFixture;
let admin: string;
let qiniu: KeyPair;

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  admin = await api.token('admin', { orgId: ORG });
  const issued = await api.authority.issue({ kind: 'qiniu', role: 'admin', orgId: ORG });
  qiniu = { accessKey: issued.accessKey!, secret: issued.secret };
});
afterAll(async () => {
  await api.close();
});

describe('the native API', () => {
  it('lists and reads the shared definitions an org can start, marked shared, and the start agrees', async () => {
    const items = (await api.call(admin, { method: 'GET', url: '/v1/definitions' })).json().items as (DefinitionSummary & { shared: boolean })[];
    expect(items.map((d) => [d.name, d.shared])).toEqual([['BackupCluster', true]]);
    const read = await api.call(admin, { method: 'GET', url: '/v1/definitions/BackupCluster' });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ name: 'BackupCluster', shared: true, webhooks: [] });
    const started = await api.call(admin, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster', bizId: 'c1' } });
    expect(started.statusCode).toBe(201);
    expect((await api.waitForEnd(started.json().id)).statusName).toBe('SUCCESS');
  });

  it('refuses an org admin changing or deleting it (403, not 404), and an own definition of the name shadows it', async () => {
    const spec = { name: 'BackupCluster', nodes: [{ name: 'mine', type: 'noop' }] };
    expect((await api.call(admin, { method: 'PUT', url: '/v1/definitions/BackupCluster', payload: spec })).statusCode).toBe(403);
    expect((await api.call(admin, { method: 'DELETE', url: '/v1/definitions/BackupCluster' })).statusCode).toBe(403);

    expect((await api.call(admin, { method: 'POST', url: '/v1/definitions', payload: spec })).statusCode).toBe(201);
    const items = (await api.call(admin, { method: 'GET', url: '/v1/definitions' })).json().items as { name: string; shared: boolean; nodes: { name: string }[] }[];
    expect(items.map((d) => [d.name, d.shared, d.nodes.map((n) => n.name)])).toEqual([['BackupCluster', false, ['mine']]]);
    const run = (await api.call(admin, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster' } })).json();
    expect(run.nodes.map((n: { name: string }) => n.name)).toEqual(['mine']);
    expect((await api.call(admin, { method: 'DELETE', url: '/v1/definitions/BackupCluster' })).statusCode).toBe(204);
    expect((await api.call(admin, { method: 'GET', url: '/v1/definitions/BackupCluster' })).json().shared).toBe(true);
  });
});

describe('Pandora', () => {
  it('lists the shared BackupCluster with canStart false — its nodes are jobs, none a transform or export — and refuses its start alike', async () => {
    const listed = (await pandoraCall(api.app, qiniu, 'GET', '/v2/workflows')).json() as { name: string; canStart: boolean }[];
    expect(listed.find((w) => w.name === 'BackupCluster')).toMatchObject({ canStart: false, status: 'Ready' });
    const got = (await pandoraCall(api.app, qiniu, 'GET', '/v2/workflows/BackupCluster')).json();
    expect(got).toMatchObject({ canStart: false });
    expect(Object.keys(got.nodes)).toEqual(['backup-job', 'updateBackupRecord-job', 'end-job']);
    const start = await pandoraCall(api.app, qiniu, 'POST', '/v2/workflows/BackupCluster/start');
    expect(start.statusCode).toBe(400);
    expect(start.json().error).toMatch(/^E18644: .*no transform, export or exportBatch node/);
    expect((await pandoraCall(api.app, qiniu, 'DELETE', '/v2/workflows/BackupCluster')).statusCode).toBe(403);
  });

  it('a workflow with a transform node shows canStart true and starts', async () => {
    const nodes = { 'clean-transform': { name: 'clean', type: 'transform', data: {}, parents: [], children: [] } };
    expect((await pandoraCall(api.app, qiniu, 'POST', '/v2/workflows/Startable', { region: 'nb', nodes })).statusCode).toBe(200);
    const listed = (await pandoraCall(api.app, qiniu, 'GET', '/v2/workflows')).json() as { name: string; canStart: boolean }[];
    expect(listed.find((w) => w.name === 'Startable')).toMatchObject({ canStart: true });
    expect((await pandoraCall(api.app, qiniu, 'POST', '/v2/workflows/Startable/start')).statusCode).toBe(200);
  });
});
