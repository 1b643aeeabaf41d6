import { CheckPlatform, DEFAULT_ORG, SchedulerLoop } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;
let reader: string;
let operator: string;

beforeAll(async () => {
  api = await startApiFixture();
  await api.engine.registerWorkflow(CheckPlatform);
  reader = await api.token('reader');
  operator = await api.token('operator');
});
afterAll(async () => {
  await api.close();
});

async function scheduleOf(workflow: string): Promise<{ id: number; [key: string]: unknown }> {
  const listed = await api.call(reader, { method: 'GET', url: `/v1/schedules?workflow=${workflow}` });
  expect(listed.statusCode).toBe(200);
  return listed.json().items[0];
}

describe('GET /v1/schedules', () => {
  it('lists the demo schedules: CheckPlatform nightly at 23:00, BackupCluster hourly but paused', async () => {
    const listed = await api.call(reader, { method: 'GET', url: '/v1/schedules' });
    expect(listed.statusCode).toBe(200);
    const byWorkflow = Object.fromEntries(listed.json().items.map((s: { workflow: string }) => [s.workflow, s]));
    expect(byWorkflow.CheckPlatform).toMatchObject({ name: 'nightly', expression: '0 0 23 * * ?', form: 'quartz', paused: false, overlap: 'skip' });
    expect(byWorkflow.CheckPlatform.nextFireTime).not.toBeNull();
    expect(byWorkflow.BackupCluster).toMatchObject({ name: 'hourly', expression: '0 0 * * * ?', paused: true });
  });

  it('previews the next fire times on the schedule zone\'s wall clock', async () => {
    const { id } = await scheduleOf('CheckPlatform');
    const preview = await api.call(reader, { method: 'GET', url: `/v1/schedules/${id}/preview?count=3` });
    expect(preview.statusCode).toBe(200);
    const { fireTimes } = preview.json();
    expect(fireTimes).toHaveLength(3);
    for (const t of fireTimes) expect(t.local).toMatch(/T23:00:00[+-]\d\d:\d\d$/);
  });

  it('shows a schedule with a count per outcome', async () => {
    const { id } = await scheduleOf('CheckPlatform');
    const detail = await api.call(reader, { method: 'GET', url: `/v1/schedules/${id}` });
    expect(detail.statusCode).toBe(200);
    expect(detail.json().firingCounts).toEqual({ FIRED: 0, CATCHUP: 0, SKIPPED_OVERLAP: 0, MISSED: 0, QUEUED: 0, BACKFILL: 0 });
  });

  it('answers an unknown schedule with 404 SCHEDULE_NOT_FOUND', async () => {
    const response = await api.call(reader, { method: 'GET', url: '/v1/schedules/999999' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('SCHEDULE_NOT_FOUND');
  });

  it("does not show another org's schedules", async () => {
    const { id } = await scheduleOf('CheckPlatform');
    const outsider = await api.token('reader', { orgId: 'other-org' });
    expect((await api.call(outsider, { method: 'GET', url: `/v1/schedules/${id}` })).statusCode).toBe(404);
    expect((await api.call(outsider, { method: 'GET', url: '/v1/schedules' })).json().items).toEqual([]);
  });
});

describe('POST /v1/schedules/{id}/pause|resume', () => {
  it('a reader cannot pause a schedule', async () => {
    const { id } = await scheduleOf('CheckPlatform');
    const response = await api.call(reader, { method: 'POST', url: `/v1/schedules/${id}/pause` });
    expect(response.statusCode).toBe(403);
  });

  it('an operator pauses and resumes a schedule', async () => {
    const { id } = await scheduleOf('BackupCluster');
    const resumed = await api.call(operator, { method: 'POST', url: `/v1/schedules/${id}/resume` });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ paused: false });
    expect(new Date(resumed.json().nextFireTime).getTime()).toBeGreaterThan(Date.now());
    const paused = await api.call(operator, { method: 'POST', url: `/v1/schedules/${id}/pause` });
    expect(paused.json()).toMatchObject({ paused: true });
  });
});

describe('schedules declared over the API', () => {
  it('refuses an invalid expression with 400 SCHEDULE_EXPRESSION_INVALID naming the field', async () => {
    const admin = api.adminToken;
    const response = await api.call(admin, {
      method: 'POST',
      url: '/v1/definitions',
      payload: { name: 'BadCron', nodes: [{ name: 'a', type: 'noop' }], schedules: [{ expression: '0 0 25 * * ?' }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'SCHEDULE_EXPRESSION_INVALID' });
    expect(response.json().error.message).toMatch(/hour: 25 is outside 0–23/);
  });

  it('pages a firing ledger newest first with a keyset cursor', async () => {
    const created = await api.call(api.adminToken, {
      method: 'POST',
      url: '/v1/definitions',
      payload: {
        name: 'Minutely',
        nodes: [{ name: 'a', type: 'noop' }],
        schedules: [{ expression: '* * * * *', timeZone: 'Asia/Shanghai', misfire: 'skip' }],
      },
    });
    expect(created.statusCode).toBe(201);
    const { id, nextFireTime } = await scheduleOf('Minutely');
    // five fire times decided at once, 4.5 minutes after the first: four more than 60 s late (MISSED), the last on time
    await new SchedulerLoop(api.engine).tick(new Date(new Date(nextFireTime as string).getTime() + 4.5 * 60_000));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.call(reader, { method: 'GET', url: `/v1/schedules/${id}/firings?limit=2${cursor ? `&cursor=${cursor}` : ''}` });
      expect(page.statusCode).toBe(200);
      const body: { items: { fireTime: string; outcome: string }[]; nextCursor: string | null } = page.json();
      seen.push(...body.items.map((f) => `${f.fireTime.slice(14, 16)} ${f.outcome}`));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.map((s) => s.split(' ')[1])).toEqual(['FIRED', 'MISSED', 'MISSED', 'MISSED', 'MISSED']);
    expect(new Set(seen).size).toBe(5);
    const detail = await api.call(reader, { method: 'GET', url: `/v1/schedules/${id}` });
    expect(detail.json()).toMatchObject({ timeZone: 'Asia/Shanghai', form: 'unix', firingCounts: { FIRED: 1, MISSED: 4 } });
    await api.engine.deleteDefinition('Minutely', DEFAULT_ORG);
  });
});
