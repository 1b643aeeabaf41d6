import COS from 'cos-nodejs-sdk-v5';
import { XMLParser } from 'fast-xml-parser';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/** The seed's list response, verbatim: the golden shape. */
const SEED_LIST =
  '<Response><RequestId>NjJmMjEyMmFfZWM0YTYyNjRfN2U2NV8yNmI0</RequestId><WorkflowExecutionList><RunId>i166ee19017b011eda8a5525400c540df</RunId><WorkflowId>web6ac56c1ef54dbfa44d7f4103203be9</WorkflowId><Object>wk-test/game.mp4</Object><CreateTime>2022-08-09T14:54:17+08:00</CreateTime><State>Success</State></WorkflowExecutionList><WorkflowExecutionList><RunId>i769bd26517af11ed917f525400a3c59f</RunId><WorkflowId>web6ac56c1ef54dbfa44d7f4103203be9</WorkflowId><Object>wk-test/game.mp4</Object><CreateTime>2022-08-09T14:49:49+08:00</CreateTime><State>Success</State></WorkflowExecutionList><NextToken>115716</NextToken></Response>';

/** Element names in document order, nested: the shape without the values. */
type Shape = (string | [string, Shape])[];
const ordered = new XMLParser({ preserveOrder: true, parseTagValue: false });
function shapeOf(nodes: Record<string, unknown>[]): Shape {
  return nodes.flatMap((node) =>
    Object.entries(node)
      .filter(([key]) => key !== '#text' && key !== ':@')
      .map(([key, children]) => {
        const inner = shapeOf(children as Record<string, unknown>[]);
        return inner.length ? ([key, inner] as [string, Shape]) : key;
      }),
  );
}
const xmlShape = (xml: string) => shapeOf(ordered.parse(xml) as Record<string, unknown>[]);
const plain = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'WorkflowExecutionList' || name === 'Tasks' });

let api: ApiFixture;
let base: string;
let operator: { SecretId: string; SecretKey: string };
let reader: { SecretId: string; SecretKey: string };
let workflowId: string;

async function cosKeys(role: 'reader' | 'operator') {
  const issued = await api.authority.issue({ kind: 'cos', role, orgId: 'default' });
  return { SecretId: issued.accessKey!, SecretKey: issued.secret };
}

/** A request signed the way the SDK signs it (Host included), for fastify inject. */
function signed(keys: { SecretId: string; SecretKey: string }, method: string, key: string, query: Record<string, string>, extra: { KeyTime?: string } = {}): InjectOptions {
  const headers = { host: 'ci.example.com' };
  const authorization = COS.getAuthorization({ ...keys, Method: method as 'GET', Key: key, Query: query, Headers: headers, ...extra });
  const qs = new URLSearchParams(query).toString();
  return { method: method as 'GET', url: `/${key}${qs ? `?${qs}` : ''}`, headers: { ...headers, authorization } };
}

function sdk(keys: { SecretId: string; SecretKey: string }) {
  return new COS({ ...keys, Protocol: 'http:' });
}

const listVia = (cos: COS, query: Record<string, string | number>) =>
  cos.request({ Method: 'GET', Key: 'workflowexecution', Url: `${base}/workflowexecution`, Query: query as never });

const trigger = (cos: COS, object: string) =>
  cos.request({ Method: 'POST', Key: 'triggerworkflow', Url: `${base}/triggerworkflow`, Query: { workflowId, object } as never });

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  operator = await cosKeys('operator');
  reader = await cosKeys('reader');
  const listed = await api.app.inject(signed(operator, 'GET', 'workflowexecution', {}));
  expect(listed.statusCode).toBe(200);
  // The WorkflowId of BackupCluster: trigger one run natively and read it back.
  await api.engine.startRun({ workflow: 'BackupCluster', bizId: 'bootstrap/object.mp4' });
  const page = plain.parse((await api.app.inject(signed(operator, 'GET', 'workflowexecution', {}))).body);
  workflowId = page.Response.WorkflowExecutionList[0].WorkflowId;
});
afterAll(async () => {
  await api.close();
});

describe('GET /workflowexecution shape', () => {
  it('has the seed sample element names and order, and x-ci-request-id = RequestId', async () => {
    const response = await api.app.inject(signed(operator, 'GET', 'workflowexecution', { size: '1' }));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/xml/);
    const seed = xmlShape(SEED_LIST);
    const seedEntry = (seed[0] as [string, Shape])[1][1];
    const ours = xmlShape(response.body);
    expect(ours).toEqual([['Response', ['RequestId', seedEntry, 'NextToken']]]);
    const body = plain.parse(response.body).Response;
    expect(response.headers['x-ci-request-id']).toBe(body.RequestId);
    expect(Buffer.from(body.RequestId, 'base64').toString()).toMatch(/^[0-9a-f]{8}_[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}$/);
    const entry = body.WorkflowExecutionList[0];
    expect(entry.RunId).toMatch(/^i[0-9a-f]{32}$/);
    expect(entry.WorkflowId).toMatch(/^w[0-9a-f]{32}$/);
    expect(entry.CreateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(['Running', 'Success']).toContain(entry.State);
  });

  it('shows an execution with its topology and tasks', async () => {
    const page = plain.parse((await api.app.inject(signed(operator, 'GET', 'workflowexecution', { size: '1' }))).body).Response;
    const runId = page.WorkflowExecutionList[0].RunId;
    const response = await api.app.inject(signed(operator, 'GET', `workflowexecution/${runId}`, {}));
    expect(response.statusCode).toBe(200);
    const shape = xmlShape(response.body);
    const execution = ((shape[0] as [string, Shape])[1][1] as [string, Shape]);
    expect(execution[0]).toBe('WorkflowExecution');
    expect(execution[1].map((e) => (Array.isArray(e) ? e[0] : e))).toEqual([
      'RunId', 'WorkflowId', 'WorkflowName', 'State', 'CreateTime', 'Object', 'Topology', 'Tasks', 'Tasks', 'Tasks',
    ]);
    const body = plain.parse(response.body).Response.WorkflowExecution;
    expect(body).toMatchObject({ RunId: runId, WorkflowId: workflowId, WorkflowName: 'BackupCluster', Object: 'bootstrap/object.mp4' });
    expect(body.Topology.Dependencies).toEqual({ Start: 'backup', backup: 'updateBackupRecord', updateBackupRecord: 'end', end: 'End' });
    expect(body.Tasks.map((t: { Name: string }) => t.Name)).toEqual(['backup', 'updateBackupRecord', 'end']);
  });
});

describe('the official cos-nodejs-sdk-v5 against flowline', () => {
  it('triggers, then lists every execution page by page via NextToken without duplicates or gaps, both orders', async () => {
    const cos = sdk(operator);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const data = await trigger(cos, `paging/video-${i}.mp4`);
      expect(data.statusCode).toBe(200);
      expect(data.headers!['x-ci-request-id']).toBe(data.Response.RequestId);
      expect(data.Response.InstanceId).toMatch(/^i[0-9a-f]{32}$/);
      ids.push(data.Response.InstanceId);
    }
    for (const orderByTime of ['Desc', 'Asc'] as const) {
      const seen: string[] = [];
      let nextToken = '';
      let pages = 0;
      do {
        const data = await listVia(cos, { workflowId, orderByTime, size: 2, ...(nextToken ? { nextToken } : {}) });
        const entries = [data.Response.WorkflowExecutionList ?? []].flat() as { RunId: string; Object: string }[];
        seen.push(...entries.filter((e) => e.Object.startsWith('paging/')).map((e) => e.RunId));
        nextToken = data.Response.NextToken;
        pages++;
      } while (nextToken && pages < 10);
      expect(seen, orderByTime).toEqual(orderByTime === 'Asc' ? ids : [...ids].reverse());
    }
  });

  it('gets one execution', async () => {
    const cos = sdk(reader);
    const started = await trigger(sdk(operator), 'one/object.mp4');
    const runId = started.Response.InstanceId;
    const data = await cos.request({ Method: 'GET', Key: `workflowexecution/${runId}`, Url: `${base}/workflowexecution/${runId}` });
    expect(data.Response.WorkflowExecution).toMatchObject({ RunId: runId, WorkflowId: workflowId, Object: 'one/object.mp4' });
  });

  it('gets error XML for a wrong SecretKey, an unknown SecretId, and a reader that triggers', async () => {
    const cases = [
      [sdk({ SecretId: operator.SecretId, SecretKey: 'x'.repeat(32) }), 'SignatureDoesNotMatch'],
      [sdk({ SecretId: 'AKIDunknownunknownunknownunknown1234', SecretKey: operator.SecretKey }), 'InvalidAccessKeyId'],
    ] as const;
    for (const [cos, code] of cases) {
      const error = await listVia(cos, {}).then(
        () => undefined,
        (e: COS.CosError) => e,
      );
      expect(error?.statusCode).toBe(403);
      expect(error?.code).toBe(code);
      expect((error?.error as unknown as { RequestId: string }).RequestId).toBe(error?.headers?.['x-ci-request-id']);
    }
    const refused = await trigger(sdk(reader), 'x.mp4').catch((e: COS.CosError) => e);
    expect(refused).toMatchObject({ statusCode: 403, code: 'AccessDenied' });
  });
});

describe('COS signature v5 verification', () => {
  it('rejects a signature replayed with another method, path or query', async () => {
    const good = signed(operator, 'GET', 'workflowexecution', { size: '2' });
    expect((await api.app.inject(good)).statusCode).toBe(200);
    const signedAsPost = signed(operator, 'POST', 'workflowexecution', { size: '2' });
    const tampered: InjectOptions[] = [
      { ...signedAsPost, method: 'GET' },
      { ...good, method: 'POST', url: '/triggerworkflow?size=2' },
      { ...good, url: '/workflowexecution/i00000000000000000000000000000000?size=2' },
      { ...good, url: '/workflowexecution?size=3' },
      { ...good, url: '/workflowexecution?size=2&states=Failed' },
    ];
    for (const request of tampered) {
      const response = await api.app.inject(request);
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403);
      expect(plain.parse(response.body).Error.Code).toBe('SignatureDoesNotMatch');
    }
  });

  it('refuses query keys that repeat or collide lower-cased, so the route reads only what was signed (issue 21, finding 3)', async () => {
    const request = signed(operator, 'POST', 'triggerworkflow', { workflowId, object: 'benign.mp4' });
    const smuggled = [
      `/triggerworkflow?workflowId=${workflowId}&object=EVIL.mp4&OBJECT=benign.mp4`,
      `/triggerworkflow?workflowId=${workflowId}&object=EVIL.mp4&object=benign.mp4`,
      `/triggerworkflow?workflowId=${workflowId}&Object=EVIL.mp4&object=benign.mp4`,
    ];
    for (const url of smuggled) {
      const response = await api.app.inject({ ...request, url });
      expect(response.statusCode, url).toBe(400);
      expect(plain.parse(response.body).Error.Code).toBe('InvalidArgument');
    }
    const { rows } = await api.engineOptions.db.pool.query(`SELECT count(*)::int AS n FROM workflow_runs WHERE biz_id = 'EVIL.mp4'`);
    expect(rows[0].n).toBe(0);
    // signed as sent, the same trigger starts a run on the signed object
    const honest = await api.app.inject(request);
    expect(honest.statusCode).toBe(200);
    const instance = plain.parse(honest.body).Response.InstanceId as string;
    const detail = plain.parse((await api.app.inject(signed(operator, 'GET', `workflowexecution/${instance}`, {}))).body);
    expect(detail.Response.WorkflowExecution.Object).toBe('benign.mp4');
  });

  it('rejects the keys of a revoked or expired cos credential', async () => {
    const revoked = await api.authority.issue({ kind: 'cos', role: 'reader', orgId: 'default' });
    const expired = await api.authority.issue({ kind: 'cos', role: 'reader', orgId: 'default', expiresAt: new Date(Date.now() - 1000) });
    await api.authority.revoke('default', revoked.id);
    for (const [issued, code] of [[revoked, 'InvalidAccessKeyId'], [expired, 'AccessDenied']] as const) {
      const response = await api.app.inject(signed({ SecretId: issued.accessKey!, SecretKey: issued.secret }, 'GET', 'workflowexecution', {}));
      expect(response.statusCode).toBe(403);
      expect(plain.parse(response.body).Error.Code).toBe(code);
    }
  });

  it('rejects an expired sign time, a missing Authorization and a malformed one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = signed(operator, 'GET', 'workflowexecution', {}, { KeyTime: `${now - 3600};${now - 60}` });
    const cases: [InjectOptions, string][] = [
      [expired, 'Request has expired'],
      [{ method: 'GET', url: '/workflowexecution' }, 'Authorization'],
      [{ method: 'GET', url: '/workflowexecution', headers: { authorization: 'q-sign-algorithm=md5&q-ak=x' } }, 'sha1'],
    ];
    for (const [request, message] of cases) {
      const response = await api.app.inject(request);
      expect(response.statusCode).toBe(403);
      const error = plain.parse(response.body).Error;
      expect(error.Code).toBe('AccessDenied');
      expect(error.Message).toContain(message);
      expect(response.headers['x-ci-request-id']).toBe(error.RequestId);
    }
  });
});

describe('filters and client mistakes', () => {
  const list = async (query: Record<string, string>) => api.app.inject(signed(operator, 'GET', 'workflowexecution', query));

  it('filters by name (the object), states and a creation-time window in +0800 or +08:00', async () => {
    const started = await trigger(sdk(operator), 'filters/clip.mp4');
    const byName = plain.parse((await list({ name: 'filters/clip.mp4' })).body).Response;
    expect(byName.WorkflowExecutionList.map((e: { RunId: string }) => e.RunId)).toEqual([started.Response.InstanceId]);
    const failed = plain.parse((await list({ states: 'Failed,Cancel' })).body).Response;
    expect(failed.WorkflowExecutionList ?? []).toEqual([]);
    const created = byName.WorkflowExecutionList[0].CreateTime as string;
    for (const format of [created, created.replace(/([+-]\d\d):(\d\d)$/, '$1$2')]) {
      const window = plain.parse((await list({ name: 'filters/clip.mp4', startCreationTime: format, endCreationTime: format })).body).Response;
      expect(window.WorkflowExecutionList, format).toHaveLength(1);
    }
    const later = plain.parse((await list({ name: 'filters/clip.mp4', startCreationTime: '2999-01-01T00:00:00+0800' })).body).Response;
    expect(later.WorkflowExecutionList ?? []).toEqual([]);
  });

  it('answers bad parameters with 400 InvalidArgument XML, never a 5xx', async () => {
    const queries: Record<string, string>[] = [
      { size: '101' },
      { size: 'ten' },
      { orderByTime: 'Sideways' },
      { states: 'Done' },
      { startCreationTime: '2022-08-09 14:54:17' },
      { endCreationTime: '2022-13-09T14:54:17+0800' },
      { nextToken: 'abc' },
      { workflowId: 'web6ac56c1ef54dbfa44d7f4103203be9' },
    ];
    for (const query of queries) {
      const response = await list(query);
      expect(response.statusCode, JSON.stringify(query)).toBe(400);
      expect(plain.parse(response.body).Error.Code).toBe('InvalidArgument');
    }
  });

  it('answers an unknown RunId with 404 NoSuchResource', async () => {
    for (const runId of ['i00000000000000000000000000000000', 'not-a-run']) {
      const response = await api.app.inject(signed(operator, 'GET', `workflowexecution/${runId}`, {}));
      expect(response.statusCode).toBe(404);
      expect(plain.parse(response.body).Error.Code).toBe('NoSuchResource');
    }
  });
});
