import { connectRedis, defineWorkflow, Engine, HandlerRegistry, Status, toRunUuid, type NodeContext } from '@flowline/engine';
import { TEST_REDIS_URL } from '@flowline/engine/testing';
import { NodeWorker } from '../src/nodeWorker.ts';
import { describe, expect, it } from 'vitest';
import { nodeNamed, stackFixture, summary, type TestStack } from './testStack.ts';

/**
 * Map fan-out on a real engine, worker, Postgres and Redis: a node declared
 * `map: { over }` runs once per element of its parent's list, each element a
 * node row of its own with its item; elements retry alone, a rerun reruns
 * only those that did not succeed, and the node after the map gets their
 * outputs joined in index order.
 */
const fixture = stackFixture();
let stack: TestStack;

interface MapOptions {
  readonly width: number;
  readonly element: (ctx: NodeContext) => Promise<unknown>;
  readonly retries?: number;
  readonly maxConcurrency?: number;
}

/** list (returns `width` clusters) → backup (map over list.clusters) → report (gets the joined outputs). */
async function defineBackups(stack: TestStack, { width, element, retries = 0, maxConcurrency }: MapOptions): Promise<void> {
  await stack.engine.registerWorkflow(
    defineWorkflow({
      name: 'BackupAll',
      nodes: [
        { name: 'list', run: async () => ({ region: 'eu', clusters: Array.from({ length: width }, (_, i) => ({ id: i, name: `c${i}` })) }) },
        { name: 'backup', dependsOn: ['list'], map: { over: 'list.clusters', ...(maxConcurrency ? { maxConcurrency } : {}) }, retries, backoffMs: 0, run: element },
        { name: 'report', dependsOn: ['backup'], run: async (ctx) => ({ joined: ctx.parents.backup }) },
      ],
    }),
  );
}

const elementRows = (run: Awaited<ReturnType<TestStack['engine']['getRun']>>) => run.nodes.filter((n) => n.name.startsWith('backup['));

describe('map fan-out', () => {
  it('a map over a 1,000-element list is 1,000 node rows, each with its item; the node after it sees 1,000 results in order', async () => {
    stack = await fixture.start({ concurrency: 20 });
    await defineBackups(stack, {
      width: 1000,
      element: async (ctx) => {
        const item = ctx.item as { id: number; name: string };
        if (item.id !== ctx.index) throw new Error(`item ${item.id} at index ${ctx.index}`);
        return { backedUp: item.name, parents: Object.keys(ctx.parents) };
      },
    });
    const started = performance.now();
    const { run } = await stack.engine.startRun({ workflow: 'BackupAll' });
    const done = await stack.waitForEnd(run.id, 60_000);
    const wallMs = performance.now() - started;
    expect(done.statusName).toBe('SUCCESS');
    const elements = elementRows(done);
    expect(elements).toHaveLength(1000);
    expect(elements.every((n) => n.statusName === 'SUCCESS' && n.attempt === 1)).toBe(true);
    expect(elements.map((n) => n.name)).toEqual(Array.from({ length: 1000 }, (_, i) => `backup[${i}]`));
    const items = await stack.db.pool.query<{ name: string; item: { id: number } }>(
      `SELECT name, item FROM node_runs WHERE run_id = $1 AND starts_with(name, 'backup[') ORDER BY position`,
      [done.uuid],
    );
    expect(items.rows.map((r) => r.item.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // The map's own row holds the join, and so does the report's parent output.
    const joined = (nodeNamed(done, 'report').output as { joined: { backedUp: string; parents: string[] }[] }).joined;
    expect(joined.map((o) => o.backedUp)).toEqual(Array.from({ length: 1000 }, (_, i) => `c${i}`));
    expect(joined[0]!.parents).toEqual([]);
    expect(nodeNamed(done, 'backup')).toMatchObject({ statusName: 'SUCCESS', output: joined });
    console.log(`1,000-wide map: ${wallMs.toFixed(0)} ms from start to SUCCESS`);
  }, 90_000);

  it('prints the 1,000-wide map’s wall time next to a fixed 1→1,000→1 fan-out’s, on one stack', async () => {
    stack = await fixture.start({ concurrency: 20 });
    await defineBackups(stack, { width: 1000, element: async (ctx) => ({ backedUp: (ctx.item as { name: string }).name }) });
    await stack.engine.registerWorkflow(
      defineWorkflow({
        name: 'FixedFanOut',
        nodes: [
          { name: 'list', run: async () => null },
          ...Array.from({ length: 1000 }, (_, i) => ({ name: `backup_${i}`, dependsOn: ['list'], run: async () => ({ backedUp: `c${i}` }) })),
          { name: 'report', dependsOn: Array.from({ length: 1000 }, (_, i) => `backup_${i}`), run: async () => null },
        ],
      }),
    );
    // The end is watched on the run's row alone: reading a 1,000-node run every 20 ms would weigh on what is measured.
    const endOf = async (uuid: string) => {
      for (;;) {
        const { rows } = await stack.db.pool.query<{ status: number }>('SELECT status FROM workflow_runs WHERE id = $1', [uuid]);
        if (rows[0]!.status !== Status.READY && rows[0]!.status !== Status.RUNNING) return rows[0]!.status;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const wall = { BackupAll: [] as number[], FixedFanOut: [] as number[] };
    for (let round = 0; round < 3; round++) {
      for (const workflow of ['BackupAll', 'FixedFanOut'] as const) {
        const started = performance.now();
        const { run } = await stack.engine.startRun({ workflow });
        expect(await endOf(toRunUuid(run.id)!)).toBe(Status.SUCCESS);
        wall[workflow].push(performance.now() - started);
      }
    }
    const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[1]!.toFixed(0);
    console.log(`1→map(1,000)→1: median ${median(wall.BackupAll)} ms; fixed 1→1,000→1: median ${median(wall.FixedFanOut)} ms (3 runs each, alternating, concurrency 20)`);
  }, 120_000);

  it('two engines deciding one map in turn (as two processes do) end it once, every element at its right attempt, joined in order', async () => {
    // No local lanes: every element goes through the queue, which both workers take from.
    stack = await fixture.start({ concurrency: 10, localQueueSize: 0 });
    const ran = [0, 0];
    const element = (engine: number) => async (ctx: NodeContext) => {
      ran[engine]!++;
      if (ctx.index! % 17 === 0 && ctx.attempt === 1) throw new Error('flaky');
      return { backedUp: (ctx.item as { name: string }).name };
    };
    await defineBackups(stack, { width: 400, retries: 1, element: element(0) });
    // A second engine and worker on the same database and queue prefix: each decides what it runs, so the run's
    // decisionSeq moves under each one's known state (KnownMapRuns), which it brings up to date from the rows decided since.
    const connections = [connectRedis(TEST_REDIS_URL), connectRedis(TEST_REDIS_URL), connectRedis(TEST_REDIS_URL)] as const;
    const second = new Engine({ db: stack.db, redis: connections[0], queuePrefix: stack.prefix, registry: new HandlerRegistry() });
    await defineBackups({ ...stack, engine: second }, { width: 400, retries: 1, element: element(1) });
    const worker = new NodeWorker(second, { concurrency: 10, connection: connections[1], subscriber: connections[2], drainMs: 1000, localQueueSize: 0 });
    await worker.start();
    try {
      const { run } = await stack.engine.startRun({ workflow: 'BackupAll' });
      const done = await stack.waitForEnd(run.id, 60_000);
      expect(done.statusName).toBe('SUCCESS');
      const elements = elementRows(done);
      expect(elements.every((n) => n.statusName === 'SUCCESS')).toBe(true);
      expect(elements.map((n) => n.attempt)).toEqual(Array.from({ length: 400 }, (_, i) => (i % 17 === 0 ? 2 : 1)));
      const joined = (nodeNamed(done, 'report').output as { joined: { backedUp: string }[] }).joined;
      expect(joined.map((o) => o.backedUp)).toEqual(Array.from({ length: 400 }, (_, i) => `c${i}`));
      // Both ran elements (so both decided about the run), and no attempt ran twice: 400 + 24 retried.
      expect(ran.every((n) => n > 0)).toBe(true);
      expect(ran[0]! + ran[1]!).toBe(424);
    } finally {
      await worker.close();
      await second.close();
      for (const connection of connections) connection.disconnect();
    }
  }, 90_000);

  it('a failing element is retried alone; its siblings run once', async () => {
    stack = await fixture.start();
    const runs = new Map<number, number>();
    await defineBackups(stack, {
      width: 8,
      retries: 2,
      element: async (ctx) => {
        runs.set(ctx.index!, (runs.get(ctx.index!) ?? 0) + 1);
        if (ctx.index === 3 && ctx.attempt === 1) throw new Error('transient');
        return ctx.index;
      },
    });
    const { run } = await stack.engine.startRun({ workflow: 'BackupAll' });
    const done = await stack.waitForEnd(run.id);
    expect(done.statusName).toBe('SUCCESS');
    expect(elementRows(done).map((n) => n.attempt)).toEqual([1, 1, 1, 2, 1, 1, 1, 1]);
    expect([...runs].sort(([a], [b]) => a - b).map(([, n]) => n)).toEqual([1, 1, 1, 2, 1, 1, 1, 1]);
    expect(nodeNamed(done, 'backup').output).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('rerun from failed reruns only the elements that did not succeed', async () => {
    stack = await fixture.start({ concurrency: 4 });
    let broken = true;
    const runs = new Map<number, number>();
    await defineBackups(stack, {
      width: 6,
      element: async (ctx) => {
        runs.set(ctx.index!, (runs.get(ctx.index!) ?? 0) + 1);
        if (ctx.index === 4 && broken) throw new Error('disk full');
        return ctx.index;
      },
    });
    const { run } = await stack.engine.startRun({ workflow: 'BackupAll' });
    const failed = await stack.waitForEnd(run.id);
    expect(failed.statusName).toBe('FAIL');
    expect(nodeNamed(failed, 'backup[4]').statusName).toBe('FAIL');
    expect(nodeNamed(failed, 'backup')).toMatchObject({ statusName: 'FAIL', error: 'element backup[4] ended FAIL' });
    const succeededFirst = elementRows(failed).filter((n) => n.statusName === 'SUCCESS').map((n) => n.name);

    broken = false;
    await stack.engine.rerunRun(run.id);
    const done = await stack.waitForEnd(run.id);
    expect(done.statusName).toBe('SUCCESS');
    for (const element of elementRows(done)) {
      expect(element.statusName).toBe('SUCCESS');
      expect(element.attempt).toBe(succeededFirst.includes(element.name) ? 1 : 2);
    }
    for (const name of succeededFirst) expect(runs.get(Number(/\[(\d+)\]/.exec(name)![1]))).toBe(1);
    expect(nodeNamed(done, 'report').output).toEqual({ joined: [0, 1, 2, 3, 4, 5] });
  });

  it('runs at most maxConcurrency elements at once', async () => {
    stack = await fixture.start({ concurrency: 10 });
    let running = 0;
    let most = 0;
    await defineBackups(stack, {
      width: 12,
      maxConcurrency: 3,
      element: async () => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return null;
      },
    });
    const { run } = await stack.engine.startRun({ workflow: 'BackupAll' });
    expect((await stack.waitForEnd(run.id)).statusName).toBe('SUCCESS');
    expect(most).toBe(3);
  });

  it('an empty list skips the map and the run goes on', async () => {
    stack = await fixture.start();
    await defineBackups(stack, { width: 0, element: async () => null });
    const { run } = await stack.engine.startRun({ workflow: 'BackupAll' });
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'SUCCESS', list: 'SUCCESS', backup: 'SKIP', report: 'SUCCESS' });
    expect(nodeNamed(done, 'report').output).toEqual({ joined: null });
  });
});
