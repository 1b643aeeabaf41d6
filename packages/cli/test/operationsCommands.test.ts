import { execFile } from 'node:child_process';
import path from 'node:path';
import { OperationsLoops } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../../api/test/apiFixture.ts';

/**
 * The CLI's operations: a bulk cancel by filter with its progress bar and
 * summary, a schedule backfill followed to its end, and the audit trail
 * answering who did it — from the CLI, recorded as the CLI.
 */

const SOURCES = path.resolve(import.meta.dirname, '../src');
const HOUR = 3_600_000;
let api: ApiFixture;
let url: string;
let loops: OperationsLoops;

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  url = await api.app.listen({ port: 0, host: '127.0.0.1' });
  loops = new OperationsLoops(api.engine, { loops: ['bulk', 'backfill'], pollMs: 50 });
  loops.start();
  await api.engine.applyDefinition({
    name: 'Nightly',
    nodes: [{ name: 'hold', type: 'sleep', params: { ms: 60_000 } }],
    schedules: [{ name: 'hourly', expression: '0 0 * * * ?', timeZone: 'UTC', paused: true }],
  });
});
afterAll(async () => {
  await loops.stop();
  await api.close();
});

function flowline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@flowline/source', '--import', 'tsx', path.join(SOURCES, 'client/clientMain.ts'), ...args],
      { env: { FLOWLINE_URL: url, FLOWLINE_TOKEN: api.adminToken }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('flowline runs cancel by a filter', () => {
  it('asks for --yes, then cancels every matching run with a progress bar and a summary', async () => {
    await Promise.all(Array.from({ length: 30 }, () => api.engine.startRun({ workflow: 'Nightly', bizType: 'bulk' })));
    const refused = await flowline(['runs', 'cancel', '--workflow', 'Nightly', '--biz-type', 'bulk']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/add --yes/);

    const out = await flowline(['runs', 'cancel', '--workflow', 'Nightly', '--biz-type', 'bulk', '--yes', '--interval', '50']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('[####################] 30/30 runs');
    expect(out.stdout).toMatch(/cancelled 30 of 30 runs in [\d.]+ s: 0 skipped \(not applicable\), 0 failed {2}\[operation \S+, DONE\]/);
  });
});

describe('flowline schedules backfill', () => {
  it('runs the fire times of a past range, following its progress to a summary', async () => {
    const [schedule] = await api.engine.listSchedules('default', 'Nightly');
    const to = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR);
    const from = new Date(to.getTime() - 6 * HOUR);
    const out = await flowline(['schedules', 'backfill', String(schedule!.id), '--from', from.toISOString(), '--to', to.toISOString(), '--max-concurrent', '10']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/backfill \S+ of schedule \d+ DONE: 6 runs started, 0 fire times already in the ledger, of 6/);
    await flowline(['runs', 'cancel', '--workflow', 'Nightly', '--yes']);
  });
});

describe('flowline audit', () => {
  it('answers who did it: the CLI calls above, by the principal, from the cli surface', async () => {
    const out = await flowline(['audit', '--surface', 'cli', '--json']);
    expect(out.code).toBe(0);
    const actions = (JSON.parse(out.stdout).items as { action: string; principalName: string; outcome: string }[]).map((e) => `${e.action} ${e.outcome}`);
    expect(actions).toEqual(['runs.cancel ok', 'schedule.backfill ok', 'runs.cancel ok']);
    const table = await flowline(['audit', '--action', 'schedule.backfill']);
    expect(table.stdout).toMatch(/PRINCIPAL.*ACTION.*SURFACE/);
    expect(table.stdout).toMatch(/schedule\.backfill\s+\d+\s+cli\s+127\.0\.0\.1\s+ok 202/);
  });
});
