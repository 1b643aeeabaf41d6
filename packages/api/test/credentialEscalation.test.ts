import { createHash } from 'node:crypto';
import { CREDENTIAL_KINDS } from '@flowline/engine';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pandoraSignature } from '../src/dialects/pandora/pandoraSignature.ts';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * Issue 21, finding 1: an org admin minted credentials in any org (and in the
 * shared catalog's org, whose CheckPlatform it then rewrote for every tenant).
 * Issuing is now scoped like revoking, and the shared catalog is a superadmin's.
 */
let api: ApiFixture;
let adminA: string;
let adminB: string;
let defaultAdmin: string;
let runOfA: string;

beforeAll(async () => {
  api = await startApiFixture();
  adminA = await api.token('admin', { orgId: 'org-a' });
  adminB = await api.token('admin', { orgId: 'org-b' });
  defaultAdmin = await api.token('admin');
  runOfA = (await api.call(adminA, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster' } })).json().id;
});
afterAll(async () => {
  await api.close();
});

const issue = (token: string, payload: Record<string, unknown>) => api.call(token, { method: 'POST', url: '/v1/credentials', payload });
const secretPayload = (kind: string) => (kind === 'secret' ? { name: 'x', secret: 'value' } : {});

/** A Pandora request signed as Qiniu's SDK signs it, with the Content-MD5 a body needs. */
async function pandora(key: { accessKey: string | null; secret: string }, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    date: new Date().toUTCString(),
    ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-md5': createHash('md5').update(payload).digest('base64') }),
  };
  const signature = pandoraSignature(key.secret, { method, headers, url });
  headers.authorization = `Pandora ${key.accessKey}:${signature.toString('base64url')}=`;
  return api.app.inject({ method: method as 'PUT', url, headers, ...(payload === undefined ? {} : { payload }) });
}

describe('issuing credentials is scoped like revoking', () => {
  it("refuses an org admin a credential of any kind in another org, or in the shared catalog's org (403), and creates none", async () => {
    for (const kind of CREDENTIAL_KINDS) {
      for (const orgId of ['org-a', 'default']) {
        const response = await issue(adminB, { kind, role: 'admin', orgId, ...secretPayload(kind) });
        expect(response.statusCode, `${kind} into ${orgId}`).toBe(403);
        expect(response.json().error.code).toBe('FORBIDDEN');
      }
    }
    expect(await api.authority.list('org-a')).toHaveLength(1);
  });

  it('refuses an org admin the roles that reach past one org, even in its own', async () => {
    for (const role of ['superadmin', 'metrics']) {
      expect((await issue(adminB, { kind: 'bearer', role })).statusCode, role).toBe(403);
      expect((await issue(adminB, { kind: 'bearer', role, orgId: 'org-b' })).statusCode, role).toBe(403);
    }
  });

  it("lets an org admin issue into its own org, and that credential reads its own org's runs, not another's", async () => {
    const issued = await issue(adminB, { kind: 'bearer', role: 'admin' });
    expect(issued.statusCode).toBe(201);
    expect(issued.json()).toMatchObject({ orgId: 'org-b', role: 'admin' });
    expect((await api.call(issued.json().secret, { method: 'GET', url: `/v1/runs/${runOfA}` })).statusCode).toBe(404);
    expect((await api.call(issued.json().secret, { method: 'GET', url: '/v1/credentials' })).json().items.every((c: { orgId: string }) => c.orgId === 'org-b')).toBe(true);
  });

  it('lets the bootstrap admin (a superadmin) name any org and any role', async () => {
    expect((await api.call(api.adminToken, { method: 'GET', url: '/v1/whoami' })).json().role).toBe('superadmin');
    const intoA = await issue(api.adminToken, { kind: 'bearer', role: 'reader', orgId: 'org-a' });
    expect(intoA.statusCode).toBe(201);
    expect((await api.call(intoA.json().secret, { method: 'GET', url: `/v1/runs/${runOfA}` })).statusCode).toBe(200);
    const superadmin = await issue(api.adminToken, { kind: 'bearer', role: 'superadmin', orgId: 'ops' });
    expect(superadmin.statusCode).toBe(201);
    // a superadmin it issued may name other orgs in turn
    expect((await issue(superadmin.json().secret, { kind: 'enos', role: 'operator', orgId: 'org-c' })).statusCode).toBe(201);
  });

  it('answers a taken Explorer user name with 409 that names no other org', async () => {
    expect((await issue(adminA, { kind: 'explorer', role: 'reader', accessKey: 'alice' })).statusCode).toBe(201);
    const taken = await issue(adminB, { kind: 'explorer', role: 'reader', accessKey: 'alice' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('CONFLICT');
    expect(taken.body).not.toMatch(/org-a|alice/);
  });
});

describe('the shared catalog is changed by a superadmin only', () => {
  const definition = { name: 'BackupCluster', nodes: [{ name: 'evil', type: 'http', params: { url: 'https://attacker.example/' } }] };

  it("refuses an admin of the shared catalog's org to create, change or delete its definitions (native API)", async () => {
    const put = await api.call(defaultAdmin, { method: 'PUT', url: '/v1/definitions/BackupCluster', payload: definition });
    expect(put.statusCode).toBe(403);
    expect(put.json().error.code).toBe('FORBIDDEN');
    expect((await api.call(defaultAdmin, { method: 'POST', url: '/v1/definitions', payload: { ...definition, name: 'Shared2' } })).statusCode).toBe(403);
    expect((await api.call(defaultAdmin, { method: 'DELETE', url: '/v1/definitions/BackupCluster' })).statusCode).toBe(403);
    const shared = (await api.call(defaultAdmin, { method: 'GET', url: '/v1/definitions/BackupCluster' })).json();
    expect(shared.nodes.map((n: { name: string }) => n.name)).toEqual(['backup', 'updateBackupRecord', 'end']);
  });

  it('refuses it through Pandora too, in Pandora\'s words (403 E18665)', async () => {
    const qiniu = await api.authority.issue({ kind: 'qiniu', role: 'admin', orgId: 'default' });
    const put = await pandora(qiniu, 'PUT', '/v2/workflows/BackupCluster', { name: 'BackupCluster', region: 'nb', nodes: {} });
    expect(put.statusCode).toBe(403);
    expect(put.json().error).toMatch(/^E18665: /);
    expect((await pandora(qiniu, 'DELETE', '/v2/workflows/BackupCluster')).statusCode).toBe(403);
    expect((await pandora(qiniu, 'POST', '/v2/workflows/Shared3', { region: 'nb' })).statusCode).toBe(403);
  });

  it('lets an org admin define its own workflows and a superadmin change the shared ones', async () => {
    expect((await api.call(adminB, { method: 'POST', url: '/v1/definitions', payload: { name: 'Mine', nodes: [{ name: 'a', type: 'noop' }] } })).statusCode).toBe(201);
    const changed = { name: 'SharedNoop', nodes: [{ name: 'a', type: 'noop' }] };
    expect((await api.call(api.adminToken, { method: 'POST', url: '/v1/definitions', payload: changed })).statusCode).toBe(201);
    // every org still starts the shared catalog's definitions
    expect((await api.call(adminB, { method: 'POST', url: '/v1/runs', payload: { workflow: 'SharedNoop' } })).statusCode).toBe(201);
  });
});
