import { EgressPolicy, OperationsLoops, RunRetention, SchedulerLoop, verifyWebhookSignature, type DeliveryRecord } from '@flowline/engine';
import { startWebhookReceiver, workOnce, type WebhookReceiver } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * Run notifications: a run's end (or a missed SLA) is written to the outbox by
 * the statement that records it, and delivered to the webhooks of its
 * definition or schedule — signed, keyed by event id, retried until the
 * receiver takes it. Every receiver here listens on loopback, which the
 * egress policy must allow by name, as an operator would.
 */

const ORG = 'notify-org';
const DELIVERY = { egress: EgressPolicy.of('127.0.0.1'), timeoutMs: 2000, retryMs: 200, retryMaxMs: 1000, maxAttempts: 100, publicUrl: 'https://flowline.example.com' };
let api: ApiFixture;
let admin: string;
let operator: string;
let receiver: WebhookReceiver;
let loops: OperationsLoops;
let scheduler: SchedulerLoop;

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  admin = await api.token('admin', { orgId: ORG });
  operator = await api.token('operator', { orgId: ORG });
  receiver = await startWebhookReceiver();
  loops = new OperationsLoops(api.engine, { loops: ['delivery', 'sla'], pollMs: 50, delivery: DELIVERY });
  loops.start();
  scheduler = new SchedulerLoop(api.engine, { pollMs: 100 });
  scheduler.start();
});
afterAll(async () => {
  await scheduler.stop();
  await loops.stop();
  await receiver.close();
  await api.close();
});

async function define(spec: object): Promise<{ secret: string; webhooks: { id: string; url: string; schedule: string | null; secret?: string }[] }> {
  const created = await api.call(admin, { method: 'POST', url: '/v1/definitions', payload: spec });
  expect(created.statusCode, created.body).toBe(201);
  const { webhooks } = created.json();
  return { secret: webhooks[0]?.secret, webhooks };
}

const notificationsOf = async (runId: string) => (await api.call(operator, { method: 'GET', url: `/v1/runs/${runId}/notifications` })).json().items as DeliveryRecord[];

/** A Quartz expression firing once, at the whole second `ms` (UTC). */
function onceAt(ms: number): string {
  const t = new Date(ms);
  return `${t.getUTCSeconds()} ${t.getUTCMinutes()} ${t.getUTCHours()} ${t.getUTCDate()} ${t.getUTCMonth() + 1} ? ${t.getUTCFullYear()}`;
}

describe('a failing scheduled run', () => {
  it('posts one signed webhook to a local receiver, naming the run, the failed node and its error', async () => {
    const fireAt = Math.ceil((Date.now() + 2500) / 1000) * 1000;
    const { webhooks } = await define({
      name: 'NightlyCheck',
      nodes: [
        { name: 'probe', type: 'noop' },
        { name: 'verify', type: 'fail', dependsOn: ['probe'], params: { message: 'disk 97% full', failAttempts: 10 } },
      ],
      schedules: [{ name: 'nightly', expression: onceAt(fireAt), timeZone: 'UTC', notify: [{ on: ['FAIL', 'TIMEOUT'], webhook: receiver.url }] }],
    });
    expect(webhooks).toEqual([{ id: expect.any(String), schedule: 'nightly', url: receiver.url, events: ['FAIL', 'TIMEOUT'], secret: expect.stringMatching(/^whsec_/) }]);
    // the secret is shown once: a read of the definition names the webhook without it
    const read = (await api.call(admin, { method: 'GET', url: '/v1/definitions/NightlyCheck' })).json();
    expect(read.webhooks).toEqual([{ id: webhooks[0]!.id, schedule: 'nightly', url: receiver.url, events: ['FAIL', 'TIMEOUT'] }]);

    const [delivery] = await receiver.waitFor(1, 15_000);
    const ended = Date.now();
    expect(verifyWebhookSignature(webhooks[0]!.secret!, delivery!.headers['flowline-signature'] as string, delivery!.body)).toBe(true);
    expect(verifyWebhookSignature('whsec_someone-else', delivery!.headers['flowline-signature'] as string, delivery!.body)).toBe(false);
    const event = JSON.parse(delivery!.body);
    expect(delivery!.headers).toMatchObject({ 'content-type': 'application/json', 'flowline-event': 'FAIL', 'idempotency-key': event.id, 'flowline-event-id': event.id });
    expect(event).toMatchObject({
      event: 'FAIL',
      run: { workflow: 'NightlyCheck', status: 'FAIL', trigger: 'periodic', orgId: ORG },
      failedNode: { name: 'verify', type: 'fail', status: 'FAIL', error: expect.stringContaining('disk 97% full') },
      schedule: { name: 'nightly' },
      sla: null,
      links: { run: `https://flowline.example.com/v1/runs/${event.run.id}`, ui: `https://flowline.example.com/#/runs/${event.run.id}` },
    });

    await expect.poll(async () => (await notificationsOf(event.run.id)).map((d) => d.status)).toEqual(['DELIVERED']);
    const [recorded] = await notificationsOf(event.run.id);
    expect(recorded).toMatchObject({ id: event.id, event: 'FAIL', url: receiver.url, attempts: 1, nextAttemptAt: null, lastError: null });
    expect(recorded!.attemptLog).toEqual([expect.objectContaining({ attempt: 1, httpStatus: 204, error: null })]);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
    console.log(`fail → delivered: ${ended - new Date(event.occurredAt).getTime()} ms after the run ended`);

    const metrics = (await api.engine.metrics.exposition()).body;
    expect(metrics).toMatch(/flowline_notification_attempts_total\{event="FAIL",outcome="delivered"\} 1/);
  });
});

describe('a receiver that is down', () => {
  it('gets the event after it comes back, 10 s later: exactly one delivery per event id, every attempt in the log', async () => {
    const down = await startWebhookReceiver();
    const url = down.url;
    await down.close();
    await define({ name: 'FlakyBackup', nodes: [{ name: 'backup', type: 'fail', params: { message: 'no space' } }], notify: [{ on: ['FAIL'], webhook: url }] });
    const run = (await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'FlakyBackup' } })).json();
    await api.waitForEnd(run.id);
    await new Promise((r) => setTimeout(r, 10_000));
    const failing = await notificationsOf(run.id);
    expect(failing).toMatchObject([{ status: 'PENDING', lastError: expect.stringMatching(/ECONNREFUSED/) }]);
    expect(failing[0]!.attempts).toBeGreaterThan(3);

    await down.listen();
    await down.waitFor(1, 5000);
    await expect.poll(async () => (await notificationsOf(run.id))[0]!.status).toBe('DELIVERED');
    await new Promise((r) => setTimeout(r, 1500));
    const ids = down.received.map((d) => JSON.parse(d.body).id as string);
    expect(ids).toEqual([failing[0]!.id]);
    const log = (await notificationsOf(run.id))[0]!.attemptLog;
    expect(log.at(-1)).toMatchObject({ httpStatus: 204, error: null });
    expect(log.slice(0, -1).every((a) => a.httpStatus === null && /ECONNREFUSED/.test(a.error ?? ''))).toBe(true);
    await down.close();
  }, 30_000);
});

describe('an SLA', () => {
  it('a run past it fires SLA_MISSED once — a notification and a metric — and the run goes on unchanged', async () => {
    await define({
      name: 'SlowReport',
      nodes: [{ name: 'report', type: 'sleep', params: { ms: 2500 } }],
      sla: { finishWithinMs: 1000 },
      notify: [{ on: ['SLA_MISSED', 'SUCCESS'], webhook: receiver.url }],
    });
    const before = receiver.received.length;
    const run = (await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'SlowReport' } })).json();
    const [missed] = (await receiver.waitFor(before + 1)).slice(before);
    const event = JSON.parse(missed!.body);
    expect(event).toMatchObject({ event: 'SLA_MISSED', run: { id: run.id, status: 'RUNNING', endTime: null }, sla: { finishWithinMs: 1000 } });
    expect((await api.call(operator, { method: 'GET', url: `/v1/runs/${run.id}` })).json().status).toBe('RUNNING');

    const done = await api.waitForEnd(run.id);
    expect(done.statusName).toBe('SUCCESS');
    await receiver.waitFor(before + 2);
    await new Promise((r) => setTimeout(r, 500));
    const events = receiver.received.slice(before).map((d) => JSON.parse(d.body).event);
    expect(events).toEqual(['SLA_MISSED', 'SUCCESS']);
    expect((await api.engine.metrics.exposition()).body).toMatch(/flowline_sla_missed_total\{workflow="SlowReport"\} 1/);
  }, 20_000);
});

describe('where webhooks may reach', () => {
  it("is the http node's egress policy: a receiver it does not allow is never reached", async () => {
    await loops.stop();
    try {
      await define({ name: 'Denied', nodes: [{ name: 'x', type: 'fail' }], notify: [{ on: ['FAIL'], webhook: receiver.url }] });
      const before = receiver.received.length;
      const run = (await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Denied' } })).json();
      await api.waitForEnd(run.id);
      expect(await workOnce.deliveries(api.engine, { ...DELIVERY, egress: EgressPolicy.of(), maxAttempts: 1 })).toBe(true);
      const [delivery] = await notificationsOf(run.id);
      expect(delivery).toMatchObject({ status: 'DEAD', lastError: expect.stringMatching(/loopback/) });
      expect(receiver.received.length).toBe(before);
    } finally {
      loops.start();
    }
  });

  it("goes with its run when retention deletes the run: deliveries, their attempts and the run's SLA miss", async () => {
    const count = async (table: string) => Number((await api.engineOptions.db.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
    expect(await count('notification_deliveries')).toBeGreaterThan(0);
    expect(await count('sla_misses')).toBeGreaterThan(0);
    await new RunRetention(api.engineOptions.db, { maxAgeMs: 1, byWorkflow: {} }).sweep(new Date(Date.now() + 60_000));
    expect([await count('notification_deliveries'), await count('notification_attempts'), await count('sla_misses')]).toEqual([0, 0, 0]);
  });

  it('a run of a definition without webhooks writes no notification; another org reads none of a run', async () => {
    const plain = (await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'BackupCluster' } })).json();
    await api.waitForEnd(plain.id);
    expect(await notificationsOf(plain.id)).toEqual([]);
    const stranger = await api.token('reader', { orgId: 'elsewhere' });
    expect((await api.call(stranger, { method: 'GET', url: `/v1/runs/${plain.id}/notifications` })).statusCode).toBe(404);
  });
});
