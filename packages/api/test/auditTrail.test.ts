import type { AuditRecord } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWorkflowId } from '../src/dialects/tencent/tencentIds.ts';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';
import { cosCall, explorerToken, pandoraCall } from './surfaceCalls.ts';

/**
 * The audit trail: every state-changing call, on every surface, leaves
 * exactly one row naming the principal its credential resolved to — refused
 * calls included — and nothing can change the trail through the API.
 */

const ORG = 'audit-org';
let api: ApiFixture;
let operator: string;
let admin: string;

beforeAll(async () => {
  api = await startApiFixture();
  operator = await api.token('operator', { orgId: ORG });
  admin = await api.token('admin', { orgId: ORG });
  await api.call(admin, { method: 'POST', url: '/v1/definitions', payload: { name: 'Audited', nodes: [{ name: 'a', type: 'sleep', params: { ms: 60_000 } }] } });
});
afterAll(async () => {
  await api.close();
});

/** Every row of the trail about `target` (as a superadmin reads it), oldest first. */
async function rowsAbout(target: string): Promise<AuditRecord[]> {
  const page = await api.call(api.adminToken, { method: 'GET', url: `/v1/audit?target=${encodeURIComponent(target)}&limit=500` });
  expect(page.statusCode).toBe(200);
  return (page.json().items as AuditRecord[]).reverse();
}

const whoami = async (token: string) => (await api.call(token, { method: 'GET', url: '/v1/whoami' })).json() as { principalId: string; name: string };

describe('the native API, the CLI and the UI', () => {
  it('a start, a cancel and a refused start each leave one row naming the principal and the surface', async () => {
    const started = await api.call(operator, { method: 'POST', url: '/v1/runs', headers: { 'x-flowline-surface': 'cli' }, payload: { workflow: 'Audited' } });
    expect(started.statusCode).toBe(201);
    const runId = started.json().id as string;
    await api.call(operator, { method: 'POST', url: `/v1/runs/${runId}/cancel`, headers: { 'x-flowline-surface': 'ui' } });
    await api.call(operator, { method: 'POST', url: `/v1/runs/${runId}/rerun` });

    const me = await whoami(operator);
    const rows = await rowsAbout(runId);
    expect(rows.map((r) => [r.action, r.surface, r.outcome, r.httpStatus])).toEqual([
      ['run.start', 'cli', 'ok', 201],
      ['run.cancel', 'ui', 'ok', 200],
      ['run.rerun', 'native', 'ok', 200],
    ]);
    for (const row of rows) expect(row).toMatchObject({ orgId: ORG, principalId: me.principalId, principalName: me.name, role: 'operator', address: '127.0.0.1' });
    expect(rows[1]).toMatchObject({ method: 'POST', route: '/v1/runs/:id/cancel' });
  });

  it('a refused call is recorded as denied, with the principal when the credential was valid and without one when not', async () => {
    const reader = await api.token('reader', { orgId: ORG });
    const target = 'RefusedWorkflow';
    expect((await api.call(reader, { method: 'POST', url: '/v1/runs', payload: { workflow: target } })).statusCode).toBe(403);
    expect((await api.call('not-a-token', { method: 'POST', url: '/v1/runs', payload: { workflow: target } })).statusCode).toBe(401);
    const rows = await rowsAbout(target);
    expect(rows.map((r) => [r.action, r.outcome, r.httpStatus, r.role, r.orgId])).toEqual([
      ['run.start', 'denied', 403, 'reader', ORG],
      ['run.start', 'denied', 401, null, null],
    ]);
  });

  it('definitions, credentials and schedules: each change is one row', async () => {
    const spec = { name: 'AuditedDef', nodes: [{ name: 'a', type: 'noop' }], schedules: [{ expression: '0 0 3 * * ?', paused: true }] };
    await api.call(admin, { method: 'POST', url: '/v1/definitions', payload: spec });
    await api.call(admin, { method: 'PUT', url: '/v1/definitions/AuditedDef', payload: { ...spec, description: 'v2' } });
    const scheduleId = String((await api.call(admin, { method: 'GET', url: '/v1/schedules?workflow=AuditedDef' })).json().items[0].id);
    await api.call(operator, { method: 'POST', url: `/v1/schedules/${scheduleId}/resume` });
    await api.call(operator, { method: 'POST', url: `/v1/schedules/${scheduleId}/pause` });
    await api.call(admin, { method: 'DELETE', url: '/v1/definitions/AuditedDef' });
    expect((await rowsAbout('AuditedDef')).map((r) => r.action)).toEqual(['definition.create', 'definition.update', 'definition.delete']);
    expect((await rowsAbout(scheduleId)).map((r) => r.action)).toEqual(['schedule.resume', 'schedule.pause']);

    const issued = await api.call(admin, { method: 'POST', url: '/v1/credentials', payload: { kind: 'bearer', role: 'reader', name: 'audited-bot' } });
    const credentialId = issued.json().id as string;
    await api.call(admin, { method: 'DELETE', url: `/v1/credentials/${credentialId}` });
    const rows = await rowsAbout(credentialId);
    expect(rows.map((r) => r.action)).toEqual(['credential.issue', 'credential.revoke']);
    expect(rows[0]!.role).toBe('admin');
  });

  it('reads leave no row', async () => {
    const before = (await api.call(api.adminToken, { method: 'GET', url: '/v1/audit?limit=1' })).json().items[0].id as number;
    await api.call(operator, { method: 'GET', url: '/v1/runs' });
    await api.call(operator, { method: 'GET', url: '/v1/definitions' });
    expect((await api.call(api.adminToken, { method: 'GET', url: '/v1/audit?limit=1' })).json().items[0].id).toBe(before);
  });
});

describe('the five dialects', () => {
  it('TiEM stop and cancel, EnOS cancel (not its search), Explorer connect, start and cancel, Tencent trigger, Pandora create, start and stop', async () => {
    // TiEM: a bearer token; stop suspends, cancel cancels
    const tiemRun = (await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Audited' } })).json().id as string;
    await api.call(operator, { method: 'POST', url: '/api/v1/workflow/stop', payload: { workFlowId: tiemRun } });
    await api.call(operator, { method: 'POST', url: '/api/v1/workflow/cancel', payload: { workFlowId: tiemRun } });
    expect((await rowsAbout(tiemRun)).map((r) => [r.action, r.surface])).toEqual([
      ['run.start', 'native'],
      ['run.suspend', 'tiem'],
      ['run.cancel', 'tiem'],
    ]);

    // EnOS: a search is a POST that reads; a cancel changes
    const enos = await api.authority.issue({ kind: 'enos', role: 'operator', orgId: ORG, name: 'enos-operator' });
    const enosRun = (await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Audited' } })).json().id as string;
    const enosCall = (action: string, payload: unknown) =>
      api.app.inject({ method: 'POST', url: `/batch-processing-service/v2.1/flowInstances?action=${action}&userId=u&orgId=${ORG}`, headers: { 'apim-accesstoken': enos.secret }, payload: payload as object });
    const found = await enosCall('search', { type: 0, expression: '', fromTriggerTime: 0, toTriggerTime: Date.now() + 60_000, status: '', owner: '', pagination: { pageNo: 1, pageSize: 1 } });
    const instanceId = found.json().data.flowInsts[0].instanceId as string;
    expect((await enosCall('cancel', { flowInstId: instanceId })).statusCode).toBe(200);
    expect((await rowsAbout(instanceId)).map((r) => [r.action, r.surface, r.principalName])).toEqual([['run.cancel', 'enos', 'enos-operator']]);
    expect((await api.call(api.adminToken, { method: 'GET', url: '/v1/audit?surface=enos' })).json().items).toHaveLength(1);
    expect((await api.call(operator, { method: 'GET', url: `/v1/runs/${enosRun}` })).json().status).toBe('CANCEL');

    // Explorer: the session's login, a start by workflow id, a cancel by job id
    const account = await api.authority.issue({ kind: 'explorer', role: 'operator', orgId: ORG, accessKey: 'audit_user', name: 'explorer-operator' });
    const token = await explorerToken(api.app, account as { accessKey: string; secret: string });
    const definitionId = (await api.call(admin, { method: 'GET', url: '/v1/definitions/Audited' })).json().id as number;
    const job = await api.app.inject({ method: 'POST', url: `/api-open/v1/workflows/${definitionId}/jobs`, headers: { explorer_token: token }, payload: {} });
    const jobId = String(job.json().data.id);
    await api.app.inject({ method: 'PUT', url: `/api-open/v1/jobs/${jobId}/cancel`, headers: { explorer_token: token } });
    expect((await rowsAbout(jobId)).map((r) => [r.action, r.surface, r.principalName])).toEqual([
      ['run.start', 'explorer', 'explorer-operator'],
      ['run.cancel', 'explorer', 'explorer-operator'],
    ]);
    const logins = (await api.call(api.adminToken, { method: 'GET', url: '/v1/audit?action=session.open&surface=explorer' })).json().items as AuditRecord[];
    expect(logins.map((r) => r.principalName)).toEqual(['explorer-operator']);

    // Tencent CI: a COS-signed trigger names the run it started
    const cos = await api.authority.issue({ kind: 'cos', role: 'operator', orgId: ORG, name: 'cos-operator' });
    const workflowId = toWorkflowId(definitionId);
    const triggered = await cosCall(api.app, cos as { accessKey: string; secret: string }, 'POST', '/triggerworkflow', { workflowId, object: 'bucket/key.mp4' });
    expect(triggered.statusCode).toBe(200);
    const tencentRun = /<InstanceId>([^<]+)</.exec(triggered.body)![1]!;
    expect((await rowsAbout(tencentRun)).map((r) => [r.action, r.surface, r.principalName])).toEqual([['run.start', 'tencent', 'cos-operator']]);

    // Pandora: a workflow created, started and stopped by name
    const qiniu = await api.authority.issue({ kind: 'qiniu', role: 'admin', orgId: ORG, name: 'qiniu-admin' });
    const key = qiniu as { accessKey: string; secret: string };
    const nodes = { 'clean-transform': { name: 'clean', type: 'transform', data: { flowlineType: 'sleep', ms: 60_000 }, parents: [], children: [] } };
    expect((await pandoraCall(api.app, key, 'POST', '/v2/workflows/AuditedPandora', { region: 'nb', nodes })).statusCode).toBe(200);
    const pandoraStart = await pandoraCall(api.app, key, 'POST', '/v2/workflows/AuditedPandora/start');
    expect(pandoraStart.statusCode, pandoraStart.body).toBe(200);
    await pandoraCall(api.app, key, 'POST', '/v2/workflows/AuditedPandora/stop');
    expect((await rowsAbout('AuditedPandora')).map((r) => [r.action, r.surface, r.principalName])).toEqual([
      ['definition.create', 'pandora', 'qiniu-admin'],
      ['run.start', 'pandora', 'qiniu-admin'],
      ['run.cancel', 'pandora', 'qiniu-admin'],
    ]);
  });
});

describe('reading the trail', () => {
  it('is for admins: an org admin reads its own org only, a superadmin every org; keyset paged', async () => {
    const reader = await api.token('reader', { orgId: ORG });
    expect((await api.call(reader, { method: 'GET', url: '/v1/audit' })).statusCode).toBe(403);
    const other = await api.token('admin', { orgId: 'another-org' });
    expect((await api.call(other, { method: 'GET', url: '/v1/audit' })).json().items).toEqual([]);
    expect((await api.call(other, { method: 'GET', url: `/v1/audit?orgId=${ORG}` })).statusCode).toBe(403);

    const mine = (await api.call(admin, { method: 'GET', url: '/v1/audit?limit=500' })).json().items as AuditRecord[];
    expect(mine.length).toBeGreaterThan(5);
    expect(new Set(mine.map((r) => r.orgId))).toEqual(new Set([ORG]));

    const first = (await api.call(admin, { method: 'GET', url: '/v1/audit?limit=2' })).json();
    const second = (await api.call(admin, { method: 'GET', url: `/v1/audit?limit=2&cursor=${first.nextCursor}` })).json();
    expect([...first.items, ...second.items].map((r: AuditRecord) => r.id)).toEqual(mine.slice(0, 4).map((r) => r.id));
    expect((await api.call(admin, { method: 'GET', url: '/v1/audit?action=run&limit=500' })).json().items.every((r: AuditRecord) => r.action.startsWith('run.'))).toBe(true);
  });

  it('cannot be changed through the API', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      expect((await api.call(api.adminToken, { method, url: '/v1/audit' })).statusCode).toBe(404);
      expect((await api.call(api.adminToken, { method, url: '/v1/audit/1' })).statusCode).toBe(404);
    }
  });
});
