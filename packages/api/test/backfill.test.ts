import { OperationsLoops, type AuditRecord } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * Backfill: a schedule's past range run now, one run per fire time (Quartz
 * rules, the schedule's zone), each recorded in the firing ledger as
 * BACKFILL; a fire time that already has a ledger row is never run again.
 */

const ORG = 'backfill-org';
const ZONE = 'Asia/Shanghai';
const HOUR = 3_600_000;
let api: ApiFixture;
let operator: string;
let loops: OperationsLoops;

/** Midnight, three days and a bit ago, on Shanghai's wall clock (UTC+8, no DST). */
const dayStart = (daysAgo: number) => {
  const local = new Date(Date.now() + 8 * HOUR);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - daysAgo) - 8 * HOUR);
};

beforeAll(async () => {
  api = await startApiFixture({ worker: true, timeZone: ZONE });
  operator = await api.token('operator', { orgId: ORG });
  const admin = await api.token('admin', { orgId: ORG });
  for (const [name, nodes] of [
    ['HourlyBackup', [{ name: 'backup', type: 'noop' }]],
    ['SlowBackup', [{ name: 'backup', type: 'sleep', params: { ms: 400 } }]],
  ] as const) {
    const created = await api.call(admin, {
      method: 'POST',
      url: '/v1/definitions',
      payload: { name, nodes, schedules: [{ name: 'hourly', expression: '0 0 * * * ?', timeZone: ZONE, input: { scope: 'all' } }] },
    });
    expect(created.statusCode).toBe(201);
  }
  loops = new OperationsLoops(api.engine, { loops: ['backfill'], pollMs: 50 });
  loops.start();
});
afterAll(async () => {
  await loops.stop();
  await api.close();
});

const scheduleOf = async (workflow: string) => String((await api.call(operator, { method: 'GET', url: `/v1/schedules?workflow=${workflow}` })).json().items[0].id);
const backfill = async (id: string) => (await api.call(operator, { method: 'GET', url: `/v1/backfills/${id}` })).json();
async function backfillToEnd(scheduleId: string, body: object): Promise<{ id: string; started: number; skipped: number; total: number; status: string }> {
  const response = await api.call(operator, { method: 'POST', url: `/v1/schedules/${scheduleId}/backfill`, payload: body });
  expect(response.statusCode, response.body).toBe(202);
  const { id } = response.json();
  await expect.poll(async () => (await backfill(id)).status, { timeout: 30_000, interval: 50 }).not.toBe('RUNNING');
  return backfill(id);
}

describe('a backfill of an hourly schedule over three days', () => {
  it('starts 72 runs whose trigger times are the fire times in the display zone, each a BACKFILL ledger row; the same backfill again adds none', async () => {
    const scheduleId = await scheduleOf('HourlyBackup');
    const from = dayStart(4);
    const range = { from: from.toISOString(), to: new Date(from.getTime() + 72 * HOUR).toISOString() };

    const done = await backfillToEnd(scheduleId, range);
    expect(done).toMatchObject({ status: 'DONE', total: 72, started: 72, skipped: 0, nextFireTime: null });

    const firings = (await api.call(operator, { method: 'GET', url: `/v1/schedules/${scheduleId}/firings?limit=500` })).json().items as { fireTime: string; outcome: string; runId: string }[];
    expect(firings).toHaveLength(72);
    expect(new Set(firings.map((f) => f.outcome))).toEqual(new Set(['BACKFILL']));
    const expected = Array.from({ length: 72 }, (_, i) => new Date(from.getTime() + i * HOUR).toISOString());
    expect(firings.map((f) => f.fireTime).sort()).toEqual(expected);

    // every run is periodic, triggered at its fire time, with the schedule's input
    const runs = await Promise.all(firings.map(async (f) => (await api.call(operator, { method: 'GET', url: `/v1/runs/${f.runId}` })).json()));
    for (const [i, run] of runs.entries()) {
      expect(run).toMatchObject({ workflow: 'HourlyBackup', triggerTime: firings[i]!.fireTime, input: { scope: 'all' } });
    }
    await expect.poll(async () => (await api.engine.countRuns({ orgId: ORG, workflow: 'HourlyBackup', statuses: [1] })), { timeout: 20_000 }).toBe(72);

    // EnOS shows them as periodic instances whose trigger times read the display zone's wall clock, on the hour
    const enos = await api.authority.issue({ kind: 'enos', role: 'reader', orgId: ORG });
    const search = await api.app.inject({
      method: 'POST',
      url: `/batch-processing-service/v2.1/flowInstances?action=search&userId=u&orgId=${ORG}`,
      headers: { 'apim-accesstoken': enos.secret },
      payload: { type: 1, expression: 'HourlyBackup', owner: '', status: '', fromTriggerTime: from.getTime(), toTriggerTime: from.getTime() + 72 * HOUR, pagination: { pageNo: 1, pageSize: 100 } },
    });
    const local = (search.json().data.flowInsts as { triggerTime: string }[]).map((f) => f.triggerTime).sort();
    expect(local).toHaveLength(72);
    expect(local[0]).toBe(`${new Date(from.getTime() + 8 * HOUR).toISOString().slice(0, 10)} 00:00:00`);
    expect(local.every((t) => /^\d{4}-\d\d-\d\d \d\d:00:00$/.test(t))).toBe(true);

    const again = await backfillToEnd(scheduleId, range);
    expect(again).toMatchObject({ status: 'DONE', total: 72, started: 0, skipped: 72 });
    expect(await api.engine.countRuns({ orgId: ORG, workflow: 'HourlyBackup' })).toBe(72);

    // a wider range runs only the fire times the ledger lacks
    const wider = await backfillToEnd(scheduleId, { from: new Date(from.getTime() - 2 * HOUR).toISOString(), to: range.to });
    expect(wider).toMatchObject({ total: 74, started: 2, skipped: 72 });
  }, 60_000);
});

describe('progress, bounds and cancel', () => {
  it('keeps at most maxConcurrent of its runs going, shows its progress, and stops when cancelled', async () => {
    const scheduleId = await scheduleOf('SlowBackup');
    const from = dayStart(2);
    const asked = await api.call(operator, {
      method: 'POST',
      url: `/v1/schedules/${scheduleId}/backfill`,
      payload: { from: from.toISOString(), to: new Date(from.getTime() + 12 * HOUR).toISOString(), maxConcurrent: 2 },
    });
    const { id } = asked.json();
    const live: number[] = [];
    await expect
      .poll(
        async () => {
          live.push(await api.engine.countRuns({ orgId: ORG, workflow: 'SlowBackup', statuses: [0, 2, 5, 6] }));
          return (await backfill(id)).started;
        },
        { timeout: 20_000, interval: 40 },
      )
      .toBeGreaterThanOrEqual(4);
    expect(Math.max(...live)).toBeLessThanOrEqual(2);

    const cancelled = await api.call(operator, { method: 'POST', url: `/v1/backfills/${id}/cancel` });
    expect(cancelled.json()).toMatchObject({ status: 'CANCELLED', nextFireTime: null });
    const startedAtCancel = cancelled.json().started as number;
    expect(startedAtCancel).toBeLessThan(12);
    await new Promise((r) => setTimeout(r, 600));
    expect((await backfill(id)).started).toBe(startedAtCancel);
    expect((await api.call(operator, { method: 'POST', url: `/v1/backfills/${id}/cancel` })).statusCode).toBe(409);
    expect((await api.call(operator, { method: 'GET', url: `/v1/schedules/${scheduleId}/backfills` })).json().items[0].id).toBe(id);
  }, 30_000);

  it('refuses a range in the future, an empty one, one too long, and a schedule of another org', async () => {
    const scheduleId = await scheduleOf('HourlyBackup');
    const ask = (token: string, body: object, id = scheduleId) => api.call(token, { method: 'POST', url: `/v1/schedules/${id}/backfill`, payload: body });
    const now = Date.now();
    expect((await ask(operator, { from: new Date(now - HOUR).toISOString(), to: new Date(now + HOUR).toISOString() })).statusCode).toBe(400);
    expect((await ask(operator, { from: new Date(now - HOUR).toISOString(), to: new Date(now - 2 * HOUR).toISOString() })).statusCode).toBe(400);
    expect((await ask(operator, { from: new Date(now - 3 * 366 * 24 * HOUR).toISOString(), to: new Date(now - HOUR).toISOString() })).statusCode).toBe(400);
    const stranger = await api.token('operator', { orgId: 'elsewhere' });
    expect((await ask(stranger, { from: new Date(now - 2 * HOUR).toISOString(), to: new Date(now - HOUR).toISOString() })).statusCode).toBe(404);
    const reader = await api.token('reader', { orgId: ORG });
    expect((await ask(reader, { from: new Date(now - 2 * HOUR).toISOString(), to: new Date(now - HOUR).toISOString() })).statusCode).toBe(403);
  });

  it('leaves one audit row per backfill asked and per cancel', async () => {
    const rows = (await api.call(api.adminToken, { method: 'GET', url: `/v1/audit?orgId=${ORG}&action=schedule.backfill&outcome=ok` })).json().items as AuditRecord[];
    expect(rows).toHaveLength(4);
    const cancels = (await api.call(api.adminToken, { method: 'GET', url: `/v1/audit?orgId=${ORG}&action=backfill.cancel` })).json().items as AuditRecord[];
    expect(cancels.map((r) => r.httpStatus)).toEqual([409, 200]);
  });
});
