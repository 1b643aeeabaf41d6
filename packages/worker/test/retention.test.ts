import { RunRetention, toRunUuid } from '@flowline/engine';
import { describe, expect, it } from 'vitest';
import { stackFixture, type TestStack } from './testStack.ts';

const fixture = stackFixture();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function finishedRuns(stack: TestStack, workflow: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await stack.engine.startRun({ workflow })).run.id);
  for (const id of ids) await stack.waitForEnd(id);
  return ids;
}

async function endedAgo(ids: readonly string[], ms: number): Promise<void> {
  await fixture.database().db.pool.query(`UPDATE workflow_runs SET end_time = now() - make_interval(secs => $2::double precision / 1000) WHERE id = ANY($1::uuid[])`, [
    ids.map(toRunUuid),
    ms,
  ]);
}

async function remaining(ids: readonly string[]): Promise<string[]> {
  const result = await fixture.database().db.pool.query<{ id: string }>(`SELECT id FROM workflow_runs WHERE id = ANY($1::uuid[])`, [ids.map(toRunUuid)]);
  const kept = new Set(result.rows.map((r) => r.id));
  return ids.filter((id) => kept.has(toRunUuid(id)!));
}

describe('retention', () => {
  it('deletes the finished runs past their workflow\'s age, with their nodes, and nothing else', async () => {
    const stack = await fixture.start();
    for (const name of ['Daily', 'Brief', 'Archive']) await stack.define({ name, nodes: [{ name: 'only', type: 'noop' }] });
    await stack.define({ name: 'Endless', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 60_000 } }] });
    const [oldDaily, newDaily, oldBrief, newBrief, oldArchive] = [
      await finishedRuns(stack, 'Daily', 3),
      await finishedRuns(stack, 'Daily', 2),
      await finishedRuns(stack, 'Brief', 2),
      await finishedRuns(stack, 'Brief', 2),
      await finishedRuns(stack, 'Archive', 2),
    ];
    const live = (await stack.engine.startRun({ workflow: 'Endless' })).run.id;
    await endedAgo(oldDaily, 3 * DAY);
    await endedAgo(oldBrief, 2 * HOUR);
    await endedAgo(newBrief, HOUR / 6);
    await endedAgo(oldArchive, 3 * DAY);
    await fixture.database().db.pool.query(`UPDATE workflow_runs SET created_at = now() - interval '30 days' WHERE id = $1`, [toRunUuid(live)]);

    const retention = new RunRetention(fixture.database().db, { maxAgeMs: DAY, byWorkflow: { Brief: HOUR, Archive: 30 * DAY } }, { batchSize: 2 });
    expect(await retention.sweep(new Date())).toBe(5);

    const all = [...oldDaily, ...newDaily, ...oldBrief, ...newBrief, ...oldArchive, live];
    expect(await remaining(all)).toEqual([...newDaily, ...newBrief, ...oldArchive, live]);
    const orphans = await fixture.database().db.pool.query(`SELECT count(*)::int AS n FROM node_runs WHERE run_id NOT IN (SELECT id FROM workflow_runs)`);
    expect(orphans.rows[0].n).toBe(0);
    expect(await retention.sweep(new Date())).toBe(0);
  });

  it('sweeps in small batches while runs keep executing, and every one of them finishes', async () => {
    const stack = await fixture.start({ concurrency: 20 });
    await stack.define({ name: 'Churn', nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'sleep', dependsOn: ['a'], params: { ms: 20 } }] });
    const history = await finishedRuns(stack, 'Churn', 30);
    await endedAgo(history, 2 * DAY);
    const retention = new RunRetention(fixture.database().db, { maxAgeMs: DAY, byWorkflow: {} }, { batchSize: 1, maxBatches: 1 });
    const executing: string[] = [];
    while ((await remaining(history)).length > 0) {
      executing.push((await stack.engine.startRun({ workflow: 'Churn' })).run.id);
      await retention.sweep(new Date());
    }
    expect(executing.length).toBeGreaterThanOrEqual(history.length);
    for (const id of executing) expect((await stack.waitForEnd(id)).statusName).toBe('SUCCESS');
    expect(await remaining(executing)).toEqual(executing);
  });

  it('prunes the firing ledger past the default age, keeping recent and QUEUED rows', async () => {
    const stack = await fixture.start();
    await stack.define({ name: 'Pruned', nodes: [{ name: 'only', type: 'noop' }] });
    const db = fixture.database().db.pool;
    const definition = await db.query<{ id: number }>(`SELECT id FROM definitions WHERE name = 'Pruned'`);
    const schedule = await db.query<{ id: number }>(
      `INSERT INTO schedules (definition_id, org_id, name, expression, time_zone, overlap_policy, misfire_policy, catch_up_max, created_at, updated_at)
       VALUES ($1, 'default', 'prune-test', '* * * * * ?', 'UTC', 'allow', 'skip', 1, now(), now()) RETURNING id`,
      [definition.rows[0]!.id],
    );
    const firing = (ago: string, outcome: string) =>
      db.query(
        `INSERT INTO schedule_firings (schedule_id, fire_time, outcome, decided_at, replica) VALUES ($1, now() - $2::interval, $3, now(), 'test')`,
        [schedule.rows[0]!.id, ago, outcome],
      );
    await firing('3 days', 'FIRED');
    await firing('2 days', 'MISSED');
    await firing('3 days 1 second', 'QUEUED');
    await firing('1 hour', 'FIRED');
    await new RunRetention(fixture.database().db, { maxAgeMs: DAY, byWorkflow: {} }, { batchSize: 1 }).sweep(new Date());
    const left = await db.query<{ outcome: string }>(`SELECT outcome FROM schedule_firings WHERE schedule_id = $1 ORDER BY fire_time`, [schedule.rows[0]!.id]);
    expect(left.rows.map((r) => r.outcome)).toEqual(['QUEUED', 'FIRED']);
  });
});
