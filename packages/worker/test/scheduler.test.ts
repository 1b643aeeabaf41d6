import { DEFAULT_ORG, Engine, SchedulerLoop, connectRedis, openDatabase, type WorkflowSpecInput } from '@flowline/engine';
import { TEST_REDIS_URL } from '@flowline/engine/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { stackFixture, type TestStack } from './testStack.ts';

const fixture = stackFixture();
let stack: TestStack;

/** What every test tears down: replicas' loops and connections, and its definition (so its schedule fires no more). */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A scheduler replica as its own process would be: its own pool, Redis connection and engine. */
function replica(): SchedulerLoop {
  const db = openDatabase(fixture.database().url, { max: 4 });
  const redis = connectRedis(TEST_REDIS_URL);
  const engine = new Engine({ db, redis, queuePrefix: stack.prefix });
  const loop = new SchedulerLoop(engine);
  cleanups.push(async () => {
    await loop.stop();
    await engine.close();
    redis.disconnect();
    await db.close();
  });
  return loop;
}

async function defineScheduled(name: string, schedule: Record<string, unknown>, nodes?: WorkflowSpecInput['nodes']): Promise<string> {
  await stack.define({ name, nodes: nodes ?? [{ name: 'work', type: 'noop' }], schedules: [{ expression: '* * * * * ?', ...schedule }] });
  cleanups.push(() => stack.engine.deleteDefinition(name, DEFAULT_ORG));
  const [schedule0] = await stack.engine.listSchedules(DEFAULT_ORG, name);
  return String(schedule0!.id);
}

interface LedgerRow {
  fireTime: Date;
  outcome: string;
  runId: string | null;
  decidedAt: Date;
  replica: string;
}

async function ledger(scheduleId: string): Promise<LedgerRow[]> {
  const rows = await fixture.database().db.pool.query<LedgerRow>(
    `SELECT fire_time AS "fireTime", outcome, run_id AS "runId", decided_at AS "decidedAt", replica
       FROM schedule_firings WHERE schedule_id = $1 ORDER BY fire_time`,
    [Number(scheduleId)],
  );
  return rows.rows;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Every fire time from the first to the last, one second apart: nothing missing, nothing twice. */
function expectEverySecondOnce(rows: LedgerRow[]): void {
  const gaps = rows.slice(1).map((r, i) => r.fireTime.getTime() - rows[i]!.fireTime.getTime());
  expect(gaps.every((g) => g === 1000)).toBe(true);
  expect(rows.every((r) => r.outcome === 'FIRED' && r.runId !== null)).toBe(true);
  expect(new Set(rows.map((r) => r.runId)).size).toBe(rows.length);
}

/** Runs started by schedules (EnOS type 1, periodic) of a workflow. */
async function scheduledRuns(workflow: string): Promise<number> {
  const runs = await fixture.database().db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM workflow_runs WHERE workflow_name = $1 AND trigger_type = 1`,
    [workflow],
  );
  return runs.rows[0]!.n;
}

/** Three replicas started on an every-second schedule of `workflow`. */
async function threeReplicas(workflow: string): Promise<{ id: string; loops: SchedulerLoop[] }> {
  stack = await fixture.start({ workers: 0 });
  const id = await defineScheduled(workflow, { overlap: 'allow' });
  const loops = [replica(), replica(), replica()];
  for (const loop of loops) loop.start();
  return { id, loops };
}

describe('scheduler replicas', () => {
  it('three replicas on one database fire an every-second schedule every second exactly once', async () => {
    const { id, loops } = await threeReplicas('EverySecond');
    await sleep(10_000);
    for (const loop of loops) await loop.stop();

    const rows = await ledger(id);
    expect(rows.length).toBeGreaterThanOrEqual(9);
    expectEverySecondOnce(rows);
    expect(await scheduledRuns('EverySecond')).toBe(rows.length);
    const delays = rows.map((r) => r.decidedAt.getTime() - r.fireTime.getTime()).sort((a, b) => a - b);
    console.log(
      `firing delay after the scheduled second over ${rows.length} firings: p50 ${percentile(delays, 50)} ms, p99 ${percentile(delays, 99)} ms;`,
      `by replica ${JSON.stringify(rows.reduce<Record<string, number>>((n, r) => ({ ...n, [r.replica]: (n[r.replica] ?? 0) + 1 }), {}))}`,
    );
    expect(percentile(delays, 99)).toBeLessThan(1000);
  });

  it('a replica stopped mid-way leaves no gap: the others fire its seconds', async () => {
    const { id, loops } = await threeReplicas('SurvivesStop');
    await sleep(2500);
    const stoppedAt = Date.now();
    await loops[0]!.stop();
    await sleep(3000);
    for (const loop of loops) await loop.stop();

    const rows = await ledger(id);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expectEverySecondOnce(rows);
    expect(rows.filter((r) => r.replica === loops[0]!.replica && r.decidedAt.getTime() > stoppedAt)).toEqual([]);
    expect(rows.filter((r) => r.decidedAt.getTime() > stoppedAt).length).toBeGreaterThanOrEqual(2);
  });
});

describe('a replica that dies mid-decision', () => {
  it('holds its schedule only while its connection lives; then the others fire every second it held, once', async () => {
    stack = await fixture.start({ workers: 0 });
    const id = await defineScheduled('DiesMidDecision', { overlap: 'allow' });
    // The dying replica: it has claimed the schedule (row lock) and hangs before committing.
    const dying = openDatabase(fixture.database().url, { max: 1 });
    const client = await dying.pool.connect();
    client.on('error', () => {});
    await client.query('BEGIN');
    await client.query('SELECT id FROM schedules WHERE id = $1 FOR UPDATE', [Number(id)]);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const loops = [replica(), replica()];
    for (const loop of loops) loop.start();
    await sleep(2500);
    expect(await ledger(id)).toEqual([]);
    const diedAt = Date.now();
    await fixture.database().db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    client.release(true);
    await dying.close();
    await sleep(2000);
    for (const loop of loops) await loop.stop();

    const fired = await ledger(id);
    expect(fired.length).toBeGreaterThanOrEqual(4);
    expectEverySecondOnce(fired);
    // the seconds the dead replica held were fired late, by the others, not lost
    expect(fired[0]!.fireTime.getTime()).toBeLessThan(diedAt - 1000);
    // (a tick reads its clock before it claims, so a claim won just after the kill can carry a time a moment before it)
    expect(fired[0]!.decidedAt.getTime()).toBeGreaterThanOrEqual(diedAt - 250);
  });
});

describe('overlap policies with a slow flow', () => {
  // Long enough that a loaded machine's two ticks both come while the first run still runs.
  const SLOW = [{ name: 'slow', type: 'sleep', params: { ms: 2500 } }];

  /** Decides the schedule's due fire time, then the next one while the first run is still going. */
  async function fireTwice(policy: string): Promise<{ id: string; rows: LedgerRow[]; loop: SchedulerLoop }> {
    stack = await fixture.start();
    const id = await defineScheduled(`Slow_${policy}`, { overlap: policy }, SLOW);
    const loop = replica();
    const first = (await stack.engine.getSchedule(id, DEFAULT_ORG)).nextFireTime!;
    await loop.tick(first);
    await loop.tick(new Date(first.getTime() + 1000));
    return { id, rows: await ledger(id), loop };
  }

  it('allow starts the second run beside the first', async () => {
    const { rows } = await fireTwice('allow');
    expect(rows.map((r) => r.outcome)).toEqual(['FIRED', 'FIRED']);
    const [a, b] = await Promise.all(rows.map((r) => stack.engine.getRun(r.runId!)));
    expect([a!.statusName, b!.statusName].every((s) => s === 'READY' || s === 'RUNNING')).toBe(true);
  });

  it('skip records SKIPPED_OVERLAP and starts nothing', async () => {
    const { rows } = await fireTwice('skip');
    expect(rows.map((r) => [r.outcome, r.runId === null])).toEqual([
      ['FIRED', false],
      ['SKIPPED_OVERLAP', true],
    ]);
  });

  it('queue starts the second run when the first ends', async () => {
    const { id, rows, loop } = await fireTwice('queue');
    expect(rows.map((r) => r.outcome)).toEqual(['FIRED', 'QUEUED']);
    const firstRun = await stack.waitForEnd(rows[0]!.runId!);
    // before the next fire time, so the only decision is the queued one
    await loop.tick(new Date(rows[1]!.fireTime.getTime() + 500));
    const after = await ledger(id);
    expect(after.map((r) => r.outcome)).toEqual(['FIRED', 'FIRED']);
    const second = await stack.waitForEnd(after[1]!.runId!);
    expect(second.statusName).toBe('SUCCESS');
    expect(second.createdAt.getTime()).toBeGreaterThanOrEqual(firstRun.endTime!.getTime());
  });

  it('cancel_previous cancels the running first run and starts the second', async () => {
    const { rows } = await fireTwice('cancel_previous');
    expect(rows.map((r) => r.outcome)).toEqual(['FIRED', 'FIRED']);
    expect((await stack.waitForEnd(rows[0]!.runId!)).statusName).toBe('CANCEL');
    expect((await stack.waitForEnd(rows[1]!.runId!)).statusName).toBe('SUCCESS');
  });
});

describe('misfire policies after a simulated 1-hour outage', () => {
  /** An every-minute schedule whose scheduler comes back 60.5 minutes after its next fire time. */
  async function afterOutage(misfire: Record<string, unknown>): Promise<{ outcomes: string[]; counts: Record<string, number>; runs: number }> {
    stack = await fixture.start({ workers: 0 });
    const name = `Outage_${String(misfire.misfire)}`;
    const id = await defineScheduled(name, { expression: '0 * * * * ?', overlap: 'allow', ...misfire });
    const first = (await stack.engine.getSchedule(id, DEFAULT_ORG)).nextFireTime!;
    await replica().tick(new Date(first.getTime() + 60 * 60_000 + 30_000));
    return {
      outcomes: (await ledger(id)).map((r) => r.outcome),
      counts: (await stack.engine.getSchedule(id, DEFAULT_ORG)).firingCounts,
      runs: await scheduledRuns(name),
    };
  }

  it('skip records the hour MISSED and fires the on-time minute', async () => {
    const { outcomes, counts, runs } = await afterOutage({ misfire: 'skip' });
    expect(outcomes).toEqual([...Array<string>(60).fill('MISSED'), 'FIRED']);
    expect(counts).toEqual({ MISSED: 60, FIRED: 1 });
    expect(runs).toBe(1);
  });

  it('fire_once runs the latest missed minute once', async () => {
    const { outcomes, runs } = await afterOutage({ misfire: 'fire_once' });
    expect(outcomes).toEqual([...Array<string>(59).fill('MISSED'), 'CATCHUP', 'FIRED']);
    expect(runs).toBe(2);
  });

  it('catch_up runs the latest catchUpMax missed minutes', async () => {
    const { outcomes, counts, runs } = await afterOutage({ misfire: 'catch_up', catchUpMax: 3 });
    expect(outcomes).toEqual([...Array<string>(57).fill('MISSED'), 'CATCHUP', 'CATCHUP', 'CATCHUP', 'FIRED']);
    expect(counts).toEqual({ MISSED: 57, CATCHUP: 3, FIRED: 1 });
    expect(runs).toBe(4);
  });
});

describe('pause and resume', () => {
  it('a paused schedule fires nothing, and resumes from the next fire time after now', async () => {
    stack = await fixture.start({ workers: 0 });
    const id = await defineScheduled('Pausable', { expression: '0 * * * * ?' });
    const loop = replica();
    const paused = await stack.engine.pauseSchedule(id, DEFAULT_ORG);
    expect(paused.paused).toBe(true);
    expect(await loop.tick(new Date(paused.nextFireTime!.getTime() + 120_000))).toBe(0);
    const resumed = await stack.engine.resumeSchedule(id, DEFAULT_ORG);
    expect(resumed.paused).toBe(false);
    expect(resumed.nextFireTime!.getTime()).toBeGreaterThan(Date.now());
    expect(await ledger(id)).toEqual([]);
  });

  it('re-applying the spec keeps an operator\'s pause', async () => {
    stack = await fixture.start({ workers: 0 });
    const id = await defineScheduled('KeepsPause', { expression: '0 * * * * ?' });
    await stack.engine.pauseSchedule(id, DEFAULT_ORG);
    await stack.define({ name: 'KeepsPause', nodes: [{ name: 'work', type: 'noop' }], schedules: [{ expression: '0 * * * * ?' }] });
    expect((await stack.engine.getSchedule(id, DEFAULT_ORG)).paused).toBe(true);
  });
});
