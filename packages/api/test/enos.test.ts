import { CheckPlatform, Engine, TriggerType, type RunWithNodes } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleOfQuartz } from '../src/dialects/enos/enosSchedule.ts';
import { enosTimestamp } from '../src/dialects/enos/enosTime.ts';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';
import { ENOS_SEARCH_REQUEST, ENOS_SEARCH_SAMPLE } from './golden/enosSamples.ts';
import { shapeDifferences } from './golden/sameShape.ts';

const ORG = 'yourOrgId';
const PATH = '/batch-processing-service/v2.1/flowInstances';
/** Inside the seed request's trigger window (2019-11-13 12:32:35Z … 2019-11-14 02:22:00Z). */
const SEED_WINDOW_TIME = new Date('2019-11-13T13:00:00.250Z');

let api: ApiFixture;
let operator: string;
let periodic: RunWithNodes[];
let manual: RunWithNodes[];

const search = (body: object, token = operator, query = `userId=u1&orgId=${ORG}`) =>
  api.app.inject({ method: 'POST', url: `${PATH}?action=search&${query}`, headers: { 'apim-accesstoken': token }, payload: body });

const window = { fromTriggerTime: 0, toTriggerTime: 4_102_444_800_000 };
const body = (overrides: Record<string, unknown> = {}, pagination: Record<string, unknown> = {}) => ({
  type: 0,
  owner: '',
  status: '',
  ...window,
  ...overrides,
  pagination: { pageNo: 1, pageSize: 50, ...pagination },
});

beforeAll(async () => {
  api = await startApiFixture({ worker: true, timeZone: 'Asia/Shanghai' });
  await api.engine.registerWorkflow(CheckPlatform);
  // The nightly schedule of the seed's flows. Declared in the spec as the scheduler reads it; written
  // directly so this test does not depend on the scheduler's spec validation.
  await api.engineOptions.db.pool.query(
    `UPDATE definition_versions SET spec = spec || '{"schedules":[{"name":"nightly","expression":"0 0 0 * * ? *"}]}'::jsonb
      WHERE definition_id = (SELECT id FROM definitions WHERE name = 'CheckPlatform')`,
  );
  operator = await api.token('operator', { orgId: ORG, kind: 'enos' });
  // Periodic runs triggered inside the seed's window: an engine whose clock reads that time starts them
  // (two in the same second), the fixture's worker executes them.
  const clocked = new Engine({ ...api.engineOptions, now: () => SEED_WINDOW_TIME });
  const starts = [];
  for (let i = 0; i < 2; i++) {
    starts.push((await clocked.startRun({ workflow: 'CheckPlatform', orgId: ORG, owner: 'nightly', triggerType: TriggerType.PERIODIC })).run.id);
  }
  await clocked.close();
  periodic = await Promise.all(starts.map((id) => api.waitForEnd(id)));
  manual = [];
  for (const [workflow, owner] of [['BackupCluster', 'alice'], ['BackupCluster', 'bob'], ['CheckPlatform', 'alice']] as const) {
    manual.push(await api.waitForEnd((await api.engine.startRun({ workflow, orgId: ORG, owner, input: { cluster: 'c1', retries: 2 } })).run.id));
  }
});
afterAll(async () => {
  await api.close();
});

describe('EnOS POST flowInstances?action=search', () => {
  it('answers the seed request, sent as written, in exactly the seed sample shape', async () => {
    const response = await api.app.inject({
      method: ENOS_SEARCH_REQUEST.method,
      url: ENOS_SEARCH_REQUEST.url,
      headers: { 'apim-accesstoken': operator, 'content-type': 'application/json' },
      payload: JSON.stringify(ENOS_SEARCH_REQUEST.body),
    });
    expect(response.statusCode).toBe(200);
    const result = response.json();
    expect(shapeDifferences(result, ENOS_SEARCH_SAMPLE, { jsonText: ['graph', 'parameters'] })).toEqual([]);
    expect(result.data.count).toBe(2);
    const [first] = result.data.flowInsts;
    expect(first).toMatchObject({
      flowName: 'CheckPlatform',
      freq: '0 0 0 * * ? *',
      cycle: 'D',
      parameters: '[]',
      status: 1,
      statusDesc: 'SUCCESS',
      triggerTime: '2019-11-13 21:00:00',
      owner: 'nightly',
      hasEditPri: true,
      hasReadPri: true,
      isCancelled: false,
      virtual: false,
    });
    const graph = JSON.parse(first.graph);
    expect(graph.tasks.map((t: { task_name: string }) => t.task_name)).toEqual(['checkClusters', 'checkHosts', 'buildReport', 'end']);
    expect(graph.instId).toBe(first.instanceId);
    expect(graph.tasks[0].taskInstId).toBe(`${graph.tasks[0].task_id}-${first.instanceId.split('-')[1]}`);
    expect(graph.relations).toHaveLength(3);
  });

  it('gives two starts of one flow in the same second distinct instance ids in the vendor format', async () => {
    const ids = (await search(body({ type: 1 }))).json().data.flowInsts.map((i: { instanceId: string }) => i.instanceId).sort();
    const flowId = periodic[0]!.definitionId;
    expect(ids).toEqual([`${flowId}-20191113210000`, `${flowId}-20191113210001`]);
  });

  it('filters by type, expression, owner, status and trigger time', async () => {
    const names = async (b: object) => (await search(b)).json().data.flowInsts.map((i: { flowName: string; owner: string }) => `${i.flowName}/${i.owner}`).sort();
    expect(await names(body({ type: 0 }))).toEqual(['BackupCluster/alice', 'BackupCluster/bob', 'CheckPlatform/alice']);
    expect(await names(body({ type: 2 }))).toEqual([]);
    expect(await names(body({ expression: 'backup' }))).toEqual(['BackupCluster/alice', 'BackupCluster/bob']);
    expect(await names(body({ owner: 'alice' }))).toEqual(['BackupCluster/alice', 'CheckPlatform/alice']);
    expect(await names(body({ status: '1,2,3' }))).toHaveLength(3);
    expect(await names(body({ status: 1 }))).toHaveLength(3);
    expect(await names(body({ status: '-1,8' }))).toEqual([]);
    const now = Date.now();
    expect(await names(body({ fromTriggerTime: now + 60_000, toTriggerTime: now + 120_000 }))).toEqual([]);
    expect(await names(body({ type: 1, fromTriggerTime: SEED_WINDOW_TIME.getTime(), toTriggerTime: SEED_WINDOW_TIME.getTime() }))).toHaveLength(2);
  });

  it('orders by each documented sorter field, both ways', async () => {
    const fields = { create_time: 'createdAt', update_time: 'updatedAt', start_time: 'startTime', trigger_time: 'triggerTime', end_time: 'endTime' } as const;
    const byId = new Map(manual.map((r) => [r.definitionId + r.workflow + r.owner, r]));
    for (const [field, key] of Object.entries(fields)) {
      for (const order of ['ASC', 'DESC']) {
        const got = (await search(body({}, { sorters: [{ field, order }] }))).json().data.flowInsts.map((i: { flowId: number; flowName: string; owner: string }) =>
          byId.get(i.flowId + i.flowName + i.owner)!,
        );
        const times = got.map((r: RunWithNodes) => (r[key] as Date).getTime());
        const sorted = [...times].sort((a, b) => (order === 'ASC' ? a - b : b - a));
        expect(times, `${field} ${order}`).toEqual(sorted);
      }
    }
  });

  it('answers any other sorter field with code 62102 and the seed message', async () => {
    const response = await search(body({}, { sorters: [{ field: 'flow_name', order: 'ASC' }] }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code: 62102, msg: 'The sorters field parameter is invalid' });
  });

  it('pages: pageNo 0 is page 1, a page past the end is empty, bad sizes are refused', async () => {
    const ids = async (pagination: Record<string, unknown>) => (await search(body({}, pagination))).json().data.flowInsts.map((i: { instanceId: string }) => i.instanceId);
    expect(await ids({ pageNo: 0, pageSize: 2 })).toEqual(await ids({ pageNo: 1, pageSize: 2 }));
    expect([...(await ids({ pageNo: 1, pageSize: 2 })), ...(await ids({ pageNo: 2, pageSize: 2 }))]).toEqual(await ids({ pageNo: 1, pageSize: 10 }));
    const beyond = (await search(body({}, { pageNo: 9, pageSize: 10 }))).json();
    expect(beyond).toEqual({ code: 0, msg: 'OK', data: { flowInsts: [], count: 0 } });
    for (const pagination of [{ pageSize: 0 }, { pageSize: -1 }, { pageSize: 1_000_000 }, { pageNo: -1 }, { pageNo: 100_000 }]) {
      const response = await search(body({}, pagination));
      expect(response.statusCode, JSON.stringify(pagination)).toBe(400);
      expect(response.json().code, JSON.stringify(pagination)).toBe(400);
      expect(typeof response.json().msg).toBe('string');
    }
  });

  it('refuses a body missing mandatory fields or with bad values, naming the field', async () => {
    const { type: _type, ...noType } = body();
    for (const [bad, field] of [
      [noType, 'type'],
      [body({ type: 5 }), 'type'],
      [body({ status: '1,banana' }), 'status'],
      [body({ fromTriggerTime: 10, toTriggerTime: 5 }), 'fromTriggerTime'],
      [{ ...body(), pagination: undefined }, 'pagination'],
    ] as const) {
      const response = await search(bad);
      expect(response.statusCode, field).toBe(400);
      expect(response.json().msg, field).toContain(field);
    }
  });
});

describe('EnOS action=get and action=cancel', () => {
  it('gets one instance by id, in the same shape as search', async () => {
    const [item] = (await search(body({ type: 1 }))).json().data.flowInsts;
    const response = await api.app.inject({ method: 'GET', url: `${PATH}?action=get&flowInstId=${item.instanceId}&userId=u1&orgId=${ORG}`, headers: { 'apim-accesstoken': operator } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ code: 0, msg: 'OK', data: item });
    const viaPost = await api.app.inject({ method: 'POST', url: `${PATH}?action=get&userId=u1&orgId=${ORG}`, headers: { 'apim-accesstoken': operator }, payload: { flowInstId: item.instanceId } });
    expect(viaPost.json().data.instanceId).toBe(item.instanceId);
  });

  it('answers an unknown instance with 404 and a malformed id with 400', async () => {
    for (const [id, status] of [['999-20190812080700', 404], ['nope', 400]] as const) {
      const response = await api.app.inject({ method: 'GET', url: `${PATH}?action=get&flowInstId=${id}&userId=u1&orgId=${ORG}`, headers: { 'apim-accesstoken': operator } });
      expect(response.statusCode, id).toBe(status);
      expect(response.json().code, id).toBe(status);
    }
  });

  it('cancels a running instance, answers the seed sample, and refuses to cancel it again', async () => {
    await api.engine.applyDefinition({ name: 'Slow', nodes: [{ name: 'wait', type: 'sleep', params: { ms: 30_000 } }] });
    const run = (await api.engine.startRun({ workflow: 'Slow', orgId: ORG })).run;
    const instanceId = (await search(body({ expression: 'Slow' }))).json().data.flowInsts[0].instanceId;
    const cancel = () =>
      api.app.inject({ method: 'POST', url: `${PATH}?action=cancel&userId=u1&orgId=${ORG}`, headers: { 'apim-accesstoken': operator }, payload: { flowInstId: instanceId } });
    const response = await cancel();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ code: 0, msg: 'OK', data: '' });
    const ended = await api.waitForEnd(run.id);
    expect(ended.statusName).toBe('CANCEL');
    const item = (await search(body({ expression: 'Slow' }))).json().data.flowInsts[0];
    expect(item).toMatchObject({ status: 8, statusDesc: 'CANCEL', isCancelled: true });
    const again = await cancel();
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe(409);
  });

  it('does not let a reader cancel, and shows it hasEditPri false', async () => {
    const reader = await api.token('reader', { orgId: ORG, kind: 'enos' });
    const [item] = (await search(body(), reader)).json().data.flowInsts;
    expect(item.hasEditPri).toBe(false);
    const response = await api.app.inject({ method: 'POST', url: `${PATH}?action=cancel&userId=u1&orgId=${ORG}`, headers: { 'apim-accesstoken': reader }, payload: { flowInstId: item.instanceId } });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe(403);
  });
});

describe('EnOS auth and org isolation', () => {
  it('requires userId and orgId', async () => {
    for (const query of ['orgId=yourOrgId', 'userId=u1', '']) {
      const response = await search(body(), operator, query);
      expect(response.statusCode, query).toBe(400);
      expect(Object.keys(response.json())).toEqual(['code', 'msg']);
    }
  });

  it('refuses an orgId other than the token\'s, and never shows another org\'s instances', async () => {
    const response = await search(body(), operator, 'userId=u1&orgId=someoneElse');
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe(403);
    const stranger = await api.token('operator', { orgId: 'someoneElse', kind: 'enos' });
    const theirs = (await search(body(), stranger, 'userId=u2&orgId=someoneElse')).json();
    expect(theirs.data.count).toBe(0);
    const [item] = (await search(body({ type: 1 }))).json().data.flowInsts;
    const get = await api.app.inject({ method: 'GET', url: `${PATH}?action=get&flowInstId=${item.instanceId}&userId=u2&orgId=someoneElse`, headers: { 'apim-accesstoken': stranger } });
    expect(get.statusCode).toBe(404);
  });

  it('answers a missing, unknown or expired token with 401 in the EnOS shape', async () => {
    const expired = await api.token('reader', { orgId: ORG, kind: 'enos', expiresAt: new Date(Date.now() - 1000) });
    for (const token of ['', 'not-a-token', expired]) {
      const response = await search(body(), token);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 401 });
    }
  });

  it('also takes the token as Authorization: Bearer', async () => {
    const response = await api.app.inject({ method: 'POST', url: `${PATH}?action=search&userId=u1&orgId=${ORG}`, headers: { authorization: `Bearer ${operator}` }, payload: body() });
    expect(response.statusCode).toBe(200);
  });
});

describe('EnOS formats', () => {
  it('derives the cycle from the schedule expression', () => {
    expect(cycleOfQuartz('0 0 0 * * ? *')).toBe('D');
    expect(cycleOfQuartz('0 0 23 * * ?')).toBe('D');
    expect(cycleOfQuartz('0 0/30 * * * ?')).toBe('H');
    expect(cycleOfQuartz('0 0 * * * ?')).toBe('H');
    expect(cycleOfQuartz('0 0 8 ? * 2')).toBe('W');
    expect(cycleOfQuartz('0 0 8 1 * ?')).toBe('M');
    expect(cycleOfQuartz('0 23 * * *')).toBe('D');
    expect(cycleOfQuartz('')).toBe('');
  });

  it('renders timestamp as Java Timestamp does: at least one fraction digit, trailing zeros trimmed', () => {
    expect(enosTimestamp(new Date('2019-08-12T00:09:48.000Z'), 'Asia/Shanghai')).toBe('2019-08-12 08:09:48.0');
    expect(enosTimestamp(new Date('2019-08-12T00:09:48.250Z'), 'Asia/Shanghai')).toBe('2019-08-12 08:09:48.25');
  });
});
