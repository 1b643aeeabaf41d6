import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SchedulerLoop } from '@flowline/engine';
import { screenshotDirectory } from '@flowline/engine/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../apiFixture.ts';

/** Debian's chromium (.ci/run installs it); playwright-core drives it without downloading a browser of its own. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The screenshots the README shows; `UPDATE_SCREENSHOTS=1 pnpm test` refreshes them. */
const SCREENSHOTS = screenshotDirectory(path.resolve(import.meta.dirname, '../../../../docs/screenshots'));

let api: ApiFixture;
let url: string;
let profile: string;
let browser: BrowserContext;
let page: Page;
/** What Chromium refused under the pages' Content-Security-Policy, for the last test to show empty. */
const violations: string[] = [];

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  await api.engine.applyDefinition({ name: 'Slow', nodes: [{ name: 'wait', type: 'sleep', params: { ms: 30_000 } }, { name: 'after', type: 'noop', dependsOn: ['wait'] }] });
  await api.engine.applyDefinition({ name: 'SignOff', nodes: [{ name: 'approve', type: 'approval' }, { name: 'ship', type: 'noop', dependsOn: ['approve'] }] });
  await api.engine.applyDefinition({
    name: 'Heartbeat',
    nodes: [{ name: 'ping', type: 'sleep', params: { ms: 1500 } }],
    schedules: [{ name: 'every-second', expression: '* * * * * ?', timeZone: 'UTC' }],
  });
  // Decide the next three seconds of fire times now, so the ledger has rows without waiting for them.
  await new SchedulerLoop(api.engine).tick(new Date(Date.now() + 3000));
  url = await api.app.listen({ port: 0, host: '127.0.0.1' });
  profile = await mkdtemp(path.join(tmpdir(), 'flowline-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('the web UI in Chromium', () => {
  it('logs in with a bearer token and keeps it for the next visit', async () => {
    await page.goto(`${url}/`);
    await page.locator('#token').fill(api.adminToken);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'login.png') });
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.url()).toContain('#/runs');
    await page.reload();
    await expect.poll(() => page.locator('#start-workflow').count()).toBe(1);
  });

  it('starts a BackupCluster, watches its DAG turn green, and shows the nodes, timeline and results', async () => {
    await page.locator('#start-workflow').selectOption('BackupCluster');
    await page.locator('#start-biz').fill('cluster-ui');
    await page.locator('#start-run').click();
    await expect.poll(() => page.url()).toMatch(/#\/runs\/[A-Za-z0-9_-]{22}$/);

    const green = page.locator('#dag g.dag-node[data-status="SUCCESS"]');
    await expect.poll(() => green.count(), { timeout: 15_000 }).toBe(3);
    expect(await page.locator('#dag g.dag-node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node')))).toEqual([
      'backup',
      'updateBackupRecord',
      'end',
    ]);
    // Page-side code as a string: the repo's TypeScript has no DOM lib.
    expect(await page.evaluate(`getComputedStyle(document.querySelector('#dag g.dag-node[data-node="end"] rect')).fill`)).toBe('rgb(22, 163, 74)');
    expect(await page.locator('#dag path[marker-end]').count()).toBe(2);

    await expect.poll(() => page.locator('#run-status').textContent()).toBe('SUCCESS');
    expect(await page.locator('h1').textContent()).toContain('BackupCluster');
    expect(await page.locator('.meta').textContent()).toContain('cluster-ui');
    expect(await page.locator('#gantt g.gantt-bar').count()).toBe(3);
    const backup = page.locator('#nodes tr[data-node="backup"]');
    expect(await backup.locator('pre').textContent()).toContain('backup cluster cluster-ui');
    expect(await backup.locator('pre').textContent()).toContain('Completed.');
    expect(await page.locator('#cancel').isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'run-detail.png'), fullPage: true });
  });

  it("draws a map's elements after it in the DAG (the first 12, the rest counted on its box) and every one on the timeline", async () => {
    await api.engine.applyDefinition({
      name: 'BackupEach',
      nodes: [
        { name: 'list', type: 'noop', params: { clusters: Array.from({ length: 15 }, (_, i) => `c${i}`) } },
        { name: 'backup', type: 'noop', dependsOn: ['list'], map: { over: 'list.clusters' } },
        { name: 'report', type: 'noop', dependsOn: ['backup'] },
      ],
    });
    const run = await api.waitForEnd((await api.engine.startRun({ workflow: 'BackupEach' })).run.id);
    await page.goto(`${url}/#/runs/${run.id}`);
    await expect.poll(() => page.locator('#run-status').textContent(), { timeout: 10_000 }).toBe('SUCCESS');
    const drawn = await page.locator('#dag g.dag-node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node')));
    expect(drawn.filter((name) => name?.startsWith('backup['))).toHaveLength(12);
    expect(await page.locator('#dag g.dag-node[data-node="backup"]').textContent()).toContain('15/15 elements');
    expect(await page.locator('#gantt g.gantt-bar').count()).toBe(18);
    expect(await page.locator('#nodes tr[data-node="backup[14]"]').count()).toBe(1);
  });

  it('lists the run with its status, and filters by status', async () => {
    await page.goto(`${url}/#/runs`);
    const row = page.locator('#runs tbody tr', { hasText: 'cluster-ui' });
    await expect.poll(() => row.locator('.badge').textContent()).toBe('SUCCESS');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'runs.png') });
    await page.locator('#filters select[name="status"]').selectOption('FAIL');
    await page.locator('#filters button').click();
    await expect.poll(() => page.locator('#runs tbody').textContent()).toContain('no runs');
  });

  it('lets an operator skip a node not reached yet and cancel a running run, then offers rerun', async () => {
    const started = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Slow' } });
    await page.goto(`${url}/#/runs/${started.json().id}`);
    // The page refreshes the run on a timer: on a loaded machine the first refresh may still show READY.
    await expect.poll(() => page.locator('#dag g.dag-node[data-node="wait"]').getAttribute('data-status'), { timeout: 10_000 }).toBe('RUNNING');
    await page.locator('button[data-skip="after"]').click();
    // Its parent still runs: it is to be skipped once reached, and shown so, never started before then.
    await expect.poll(() => page.locator('#dag g.dag-node[data-node="after"]').getAttribute('data-skip-requested'), { timeout: 10_000 }).toBe('true');
    expect(await page.locator('#dag g.dag-node[data-node="after"]').getAttribute('data-status')).toBe('WAIT');
    await page.locator('#cancel').click();
    await expect.poll(() => page.locator('#run-status').textContent(), { timeout: 10_000 }).toBe('CANCEL');
    expect(await page.locator('#rerun').isEnabled()).toBe(true);
  });

  it('shows an approval waiting for its decision with Approve and Reject, and approving it lets the run finish', async () => {
    const started = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'SignOff' } });
    await page.goto(`${url}/#/runs/${started.json().id}`);
    const approve = page.locator('button[data-approve="approve"]');
    await expect.poll(() => approve.count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('button[data-reject="approve"]').count()).toBe(1);
    expect(await page.locator('#nodes tr[data-node="approve"] .waiting-for').textContent()).toBe("waiting for an operator's approval (signal approve)");
    await approve.click();
    await expect.poll(() => page.locator('#run-status').textContent(), { timeout: 10_000 }).toBe('SUCCESS');
    expect(await page.locator('#nodes tr[data-node="approve"] pre').first().textContent()).toMatch(/^approved by .+ at \d{4}-/);
    expect(await page.locator('button[data-approve]').count()).toBe(0);
  });

  it('lists schedules with their firing ledger, and pauses one', async () => {
    await page.goto(`${url}/#/schedules`);
    const row = page.locator('#schedules tbody tr', { hasText: 'every-second' });
    expect(await row.textContent()).toContain('* * * * * ?');
    await row.locator('td').first().click();
    const ledger = page.locator('#firing-ledger tbody tr');
    await expect.poll(() => ledger.count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#firing-ledger').textContent()).toContain('FIRED');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'schedules.png'), fullPage: true });
    await row.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.locator('#schedules tbody tr', { hasText: 'every-second' }).textContent()).toContain('paused');
  });

  it('sends a refused token back to the login page', async () => {
    await page.evaluate(`localStorage.setItem('flowline.token', 'not-a-token')`);
    await page.goto(`${url}/#/runs`);
    await expect.poll(() => page.locator('#token').count()).toBe(1);
  });

  it('shows a reader the runs but none of the buttons its role would be refused', async () => {
    const started = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Slow' } });
    const reader = await api.token('reader');
    await page.goto(`${url}/#/login`);
    await page.locator('#token').fill(reader);
    await page.locator('#login-form button[type=submit]').click();
    await expect.poll(() => page.locator('#who').textContent()).toContain('reader');
    expect(await page.locator('#start-form').isVisible()).toBe(false);
    await page.goto(`${url}/#/runs/${started.json().id}`);
    await expect.poll(() => page.locator('#dag g.dag-node[data-node="wait"]').count()).toBe(1);
    expect(await page.locator('#cancel').isVisible()).toBe(false);
    expect(await page.locator('button[data-skip]').count()).toBe(0);
    await api.call(api.adminToken, { method: 'POST', url: `/v1/runs/${started.json().id}/cancel` });
  });

  it('shows /docs under the same policy: Swagger UI lists the operations', async () => {
    await page.goto(`${url}/docs`);
    await expect.poll(() => page.locator('.swagger-ui .opblock').count(), { timeout: 15_000 }).toBeGreaterThan(10);
  });

  it('pages the run list with the API\'s keyset cursor', async () => {
    for (let i = 0; i < 3; i++) await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Slow', bizId: `page-${i}` } });
    await page.goto(`${url}/#/login`);
    await page.locator('#token').fill(api.adminToken);
    await page.locator('#login-form button[type=submit]').click();
    // The login handler moves to #/runs once the token is accepted; navigate only after it did.
    await expect.poll(() => page.evaluate('window.location.hash')).toBe('#/runs');
    await page.goto(`${url}/#/runs?workflow=Slow&limit=2`);
    await expect.poll(() => page.locator('#runs tr[data-run]').count()).toBeGreaterThan(0);
    const first = await page.locator('#runs tr[data-run]').first().getAttribute('data-run');
    await page.locator('#older').click();
    await expect.poll(() => page.locator('#newest').count()).toBe(1);
    await expect.poll(() => page.locator('#runs tr[data-run]').first().getAttribute('data-run')).not.toBe(first);
    for (const r of (await api.call(api.adminToken, { method: 'GET', url: '/v1/runs?workflow=Slow&limit=100' })).json().items) {
      await api.call(api.adminToken, { method: 'POST', url: `/v1/runs/${r.id}/cancel` });
    }
  });

  it('lists the handler types workers registered, with the worker serving each', async () => {
    await page.goto(`${url}/#/handlers`);
    const backup = page.locator('#handlers tr[data-handler="BackupCluster.backup"]');
    await expect.poll(() => backup.count()).toBe(1);
    expect(await backup.textContent()).toContain(`:${process.pid}`);
    expect(await page.locator('#handlers tr[data-handler="sleep"]').textContent()).toContain('built-in');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'handlers.png') });
  });

  it('starts a run with a JSON input, and names the field when the input fails the workflow’s schema', async () => {
    await api.engine.applyDefinition({
      name: 'Typed',
      input: { type: 'object', required: ['cluster'], properties: { cluster: { type: 'string' } } },
      nodes: [{ name: 'only', type: 'noop' }],
    });
    await page.goto(`${url}/#/runs`);
    await page.locator('#start-workflow').selectOption('Typed');
    await page.locator('#start-input').fill('{"cluster": 7}');
    await page.locator('#start-run').click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe('input.cluster: must be string');
    await page.locator('#start-input').fill('{"cluster": "c1"}');
    await page.locator('#start-run').click();
    await expect.poll(() => page.url()).toMatch(/#\/runs\/[A-Za-z0-9_-]{22}$/);
  });

  // Last: every page above ran under its Content-Security-Policy (issue 21, finding 7); Chromium reports each refusal.
  it('was refused nothing by the Content-Security-Policy on any page', () => {
    expect(violations).toEqual([]);
  });
});
