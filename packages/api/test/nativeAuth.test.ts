import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture();
});
afterAll(async () => {
  await api.close();
});

const start = (token: string | undefined) =>
  api.call(token, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster' } });

describe('native API auth', () => {
  it('answers a request without a token with 401 UNAUTHENTICATED', async () => {
    const response = await api.call(undefined, { method: 'GET', url: '/v1/runs' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('answers an unknown token with 401', async () => {
    expect((await api.call('flt_not-a-token', { method: 'GET', url: '/v1/runs' })).statusCode).toBe(401);
  });

  it('answers an expired token with 401 CREDENTIAL_EXPIRED', async () => {
    const token = await api.token('operator', { expiresAt: new Date(Date.now() - 1000) });
    const response = await api.call(token, { method: 'GET', url: '/v1/runs' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('CREDENTIAL_EXPIRED');
  });

  it('answers a token of another scheme (enos) on the native API with 401', async () => {
    const token = await api.token('admin', { kind: 'enos' });
    expect((await api.call(token, { method: 'GET', url: '/v1/runs' })).statusCode).toBe(401);
  });

  it('a reader can read but cannot start a run (403)', async () => {
    const reader = await api.token('reader');
    expect((await api.call(reader, { method: 'GET', url: '/v1/runs' })).statusCode).toBe(200);
    const response = await start(reader);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('FORBIDDEN');
  });

  it('an operator can start a run but cannot manage definitions or credentials', async () => {
    const operator = await api.token('operator');
    expect((await start(operator)).statusCode).toBe(201);
    const define = await api.call(operator, {
      method: 'POST',
      url: '/v1/definitions',
      payload: { name: 'X', nodes: [{ name: 'a', type: 'noop' }] },
    });
    expect(define.statusCode).toBe(403);
    expect((await api.call(operator, { method: 'GET', url: '/v1/credentials' })).statusCode).toBe(403);
  });

  it('org B never sees org A\'s runs', async () => {
    const a = await api.token('operator', { orgId: 'org-a' });
    const b = await api.token('operator', { orgId: 'org-b' });
    const run = (await start(a)).json();
    expect((await api.call(a, { method: 'GET', url: `/v1/runs/${run.id}` })).statusCode).toBe(200);
    expect((await api.call(b, { method: 'GET', url: `/v1/runs/${run.id}` })).statusCode).toBe(404);
    expect((await api.call(b, { method: 'POST', url: `/v1/runs/${run.id}/cancel` })).statusCode).toBe(404);
    const listed = (await api.call(b, { method: 'GET', url: '/v1/runs' })).json();
    expect(listed.items.map((r: { id: string }) => r.id)).not.toContain(run.id);
  });

  it('issues a credential whose secret is shown once, lists it without the secret, and revokes it', async () => {
    const issued = await api.call(api.adminToken, { method: 'POST', url: '/v1/credentials', payload: { kind: 'bearer', role: 'reader' } });
    expect(issued.statusCode).toBe(201);
    const { id, secret } = issued.json();
    expect((await api.call(secret, { method: 'GET', url: '/v1/runs' })).statusCode).toBe(200);
    const list = (await api.call(api.adminToken, { method: 'GET', url: '/v1/credentials' })).json();
    const listed = list.items.find((c: { id: string }) => c.id === id);
    expect(listed).toMatchObject({ kind: 'bearer', role: 'reader', revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(secret);
    expect((await api.call(api.adminToken, { method: 'DELETE', url: `/v1/credentials/${id}` })).statusCode).toBe(204);
    expect((await api.call(secret, { method: 'GET', url: '/v1/runs' })).statusCode).toBe(401);
    expect((await api.call(api.adminToken, { method: 'DELETE', url: `/v1/credentials/${id}` })).statusCode).toBe(404);
  });

  it('issues COS and Qiniu keys whose secrets the server can recover to verify signatures', async () => {
    for (const kind of ['cos', 'qiniu'] as const) {
      const issued = (await api.call(api.adminToken, { method: 'POST', url: '/v1/credentials', payload: { kind, role: 'operator' } })).json();
      expect(issued.accessKey).toBeTruthy();
      const { secretKey, principal } = await api.authority.signingKey(kind, issued.accessKey);
      expect(secretKey).toBe(issued.secret);
      expect(principal.role).toBe('operator');
    }
  });

  it('answers a bad credential request with 400', async () => {
    for (const payload of [{ kind: 'ssh', role: 'admin' }, { kind: 'bearer', role: 'root' }, { kind: 'bearer', role: 'admin', expiresAt: 'soon' }]) {
      const response = await api.call(api.adminToken, { method: 'POST', url: '/v1/credentials', payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });
});
