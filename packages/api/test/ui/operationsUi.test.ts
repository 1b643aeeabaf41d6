import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EgressPolicy, OperationsLoops } from '@flowline/engine';
import { screenshotDirectory, startWebhookReceiver, type WebhookReceiver } from '@flowline/engine/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../apiFixture.ts';

/**
 * Operating from the web UI, in Chromium: a bulk cancel of what the run list
 * shows, a backfill from the schedules page, a run's notifications, and the
 * audit trail — each call recorded as the UI's.
 */

const SCREENSHOTS = screenshotDirectory(path.resolve(import.meta.dirname, '../../../../docs/screenshots'));
const HOUR = 3_600_000;
let api: ApiFixture;
let url: string;
let profile: string;
let browser: BrowserContext;
let page: Page;
let receiver: WebhookReceiver;
let loops: OperationsLoops;
const violations: string[] = [];

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  receiver = await startWebhookReceiver();
  loops = new OperationsLoops(api.engine, {
    loops: ['bulk', 'backfill', 'delivery'],
    pollMs: 50,
    delivery: { egress: EgressPolicy.of('127.0.0.1'), timeoutMs: 2000, retryMs: 200, retryMaxMs: 1000, maxAttempts: 10 },
  });
  loops.start();
  await api.engine.applyDefinition({ name: 'Hold', nodes: [{ name: 'hold', type: 'sleep', params: { ms: 60_000 } }] });
  await api.engine.applyDefinition({
    name: 'Hourly',
    nodes: [{ name: 'tick', type: 'noop' }],
    schedules: [{ name: 'hourly', expression: '0 0 * * * ?', timeZone: 'UTC', paused: true }],
  });
  await api.engine.applyDefinition({ name: 'Told', nodes: [{ name: 'boom', type: 'fail', params: { message: 'told you' } }], notify: [{ on: ['FAIL'], webhook: receiver.url }] });
  url = await api.app.listen({ port: 0, host: '127.0.0.1' });
  profile = await mkdtemp(path.join(tmpdir(), 'flowline-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 860 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('dialog', (dialog) => void dialog.accept());
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${url}/`);
  await page.locator('#token').fill(api.adminToken);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/#\/runs/);
});
afterAll(async () => {
  await browser?.close();
  await loops?.stop();
  await receiver?.close();
  await api?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('operating from the web UI', () => {
  it('cancels every run the list filter selects, following the bulk operation to DONE', async () => {
    await Promise.all(Array.from({ length: 8 }, () => api.engine.startRun({ workflow: 'Hold' })));
    await expect.poll(() => api.engine.countRuns({ orgId: 'default', workflow: 'Hold', statuses: [2] }), { timeout: 15_000 }).toBe(8);
    await page.goto(`${url}/#/runs?workflow=Hold&status=RUNNING`);
    await expect.poll(() => page.locator('#bulk').isVisible()).toBe(true);
    await page.locator('button[data-bulk="cancel"]').click();
    await expect.poll(() => page.locator('#bulk-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('DONE');
    expect(await page.locator('#bulk-status').textContent()).toContain('8/8 runs');
  });

  it('backfills a schedule over a past range from its ledger panel', async () => {
    await page.goto(`${url}/#/schedules`);
    await page.locator('#schedules tbody tr', { hasText: 'hourly' }).locator('td').first().click();
    // datetime-local takes the browser's wall clock; Chromium here runs in the test's zone
    const local = (ms: number) => {
      const d = new Date(ms);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    };
    const to = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    await page.locator('#backfill-from').fill(local(to - 5 * HOUR));
    await page.locator('#backfill-to').fill(local(to));
    await page.locator('#backfill-start').click();
    const done = page.locator('#backfills tr[data-status="DONE"]');
    await expect.poll(() => done.count(), { timeout: 15_000 }).toBe(1);
    expect(await done.textContent()).toContain('5 started, 0 already there, of 5');
    await expect.poll(async () => (await page.locator('#firing-ledger').textContent()) ?? '').toContain('BACKFILL');
  });

  it("shows a run's notifications: the webhook told, delivered, with its attempts", async () => {
    const { run } = await api.engine.startRun({ workflow: 'Told' });
    await page.goto(`${url}/#/runs/${run.id}`);
    const delivered = page.locator('#notifications tr[data-status="DELIVERED"]');
    await expect.poll(() => delivered.count(), { timeout: 15_000 }).toBe(1);
    expect(await delivered.textContent()).toContain('FAIL');
    expect(receiver.received).toHaveLength(1);
  });

  it('shows admins the audit trail: who did each of the above, from the UI', async () => {
    expect(await page.locator('[data-nav="audit"]').isVisible()).toBe(true);
    await page.goto(`${url}/#/audit?surface=ui`);
    const rows = page.locator('#audit tbody tr');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')))).toEqual(['schedule.backfill', 'runs.cancel']);
    expect(await rows.first().textContent()).toContain('superadmin');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'audit.png'), fullPage: true });
  });

  it('hides the audit trail from an operator, and was refused nothing by the Content-Security-Policy', async () => {
    const operator = await api.token('operator');
    await page.goto(`${url}/#/login`);
    await page.locator('#token').fill(operator);
    await page.locator('#login-form button[type=submit]').click();
    await expect.poll(() => page.locator('#who').textContent()).toContain('operator');
    expect(await page.locator('[data-nav="audit"]').isVisible()).toBe(false);
    expect(violations).toEqual([]);
  });
});
