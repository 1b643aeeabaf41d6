import { Engine, HandlerRegistry, OperationsLoops, connectRedis, defineWorkflow, type RunWithNodes } from '@flowline/engine';
import { TEST_REDIS_URL } from '@flowline/engine/testing';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { NodeWorker } from '../src/nodeWorker.ts';
import { stackFixture, type TestStack } from './testStack.ts';

/**
 * Concurrency limits across processes: runs of a workflow declaring
 * `concurrency: { limit, key }` start waiting (READY, roots held) and are
 * admitted into their key's free slots by Postgres, whichever engine starts
 * them or ends a run of their key.
 */
const fixture = stackFixture();
let stack: TestStack;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** prepare → work, at most `limit` per bizId at once; each node sleeps a little so that runs of a key overlap if let. */
const Backup = (limit: number) =>
  defineWorkflow({ name: 'LimitedBackup', concurrency: { limit, key: 'bizId' } })
    .node('prepare', async () => {
      await sleep(10 + Math.random() * 30);
      return 'prepared';
    })
    .node('work', { dependsOn: ['prepare'] }, async () => {
      await sleep(20 + Math.random() * 60);
      return 'done';
    });

/** Another engine and worker on the stack's database and queues, as another process would be: its own Redis connections, registry and admission loop. */
async function addProcess(stack: TestStack, limit: number): Promise<{ engine: Engine; close: () => Promise<void> }> {
  const connections: Redis[] = [connectRedis(TEST_REDIS_URL), connectRedis(TEST_REDIS_URL), connectRedis(TEST_REDIS_URL)];
  const engine = new Engine({ db: stack.db, redis: connections[0]!, queuePrefix: stack.prefix, registry: new HandlerRegistry() });
  await engine.registerWorkflow(Backup(limit));
  const worker = new NodeWorker(engine, { concurrency: 10, connection: connections[1]!, subscriber: connections[2]!, drainMs: 2000 });
  await worker.start();
  const loops = new OperationsLoops(engine, { loops: ['admission'], pollMs: 100 });
  loops.start();
  return {
    engine,
    close: async () => {
      await loops.stop();
      await worker.close();
      await engine.close();
      for (const c of connections) c.disconnect();
    },
  };
}

/** The most runs of one group that ran at once, each run from its first node's start to its last node's end. */
function mostAtOnce(runs: readonly RunWithNodes[]): number {
  const edges = runs.flatMap((run) => {
    const start = Math.min(...run.nodes.map((n) => n.startedAt!.getTime()));
    const end = Math.max(...run.nodes.map((n) => n.endedAt!.getTime()));
    return [{ at: start, d: 1 }, { at: end, d: -1 }];
  });
  // At one instant an end comes before a start: a slot given back is what lets the next run in.
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let running = 0;
  let most = 0;
  for (const { d } of edges) most = Math.max(most, (running += d));
  return most;
}

describe('concurrency limits', () => {
  it('50 runs with limit 2 per bizId over 5 keys on 3 processes: never more than 2 of a key at once, all SUCCESS', async () => {
    stack = await fixture.start({ workers: 1 });
    await stack.engine.registerWorkflow(Backup(2));
    const ownLoop = new OperationsLoops(stack.engine, { loops: ['admission'], pollMs: 100 });
    ownLoop.start();
    const others = [await addProcess(stack, 2), await addProcess(stack, 2)];
    const engines = [stack.engine, ...others.map((o) => o.engine)];
    try {
      const started = await Promise.all(
        Array.from({ length: 50 }, (_, i) => engines[i % 3]!.startRun({ workflow: 'LimitedBackup', bizId: `biz-${i % 5}`, input: { bizId: `biz-${i % 5}` } })),
      );
      // Over the limit a run waits READY, its roots held: at most 2 of each key were let in at start.
      const first = await Promise.all(started.map(({ run }) => stack.engine.getRun(run.id)));
      for (const run of first) expect(['READY', 'RUNNING', 'SUCCESS']).toContain(run.statusName);
      const done = await Promise.all(started.map(({ run }) => stack.waitForEnd(run.id, 60_000)));
      expect(done.map((r) => r.statusName)).toEqual(Array(50).fill('SUCCESS'));
      const byKey = new Map<string, RunWithNodes[]>();
      for (const run of done) byKey.set(run.bizId, [...(byKey.get(run.bizId) ?? []), run]);
      expect(byKey.size).toBe(5);
      for (const [, runs] of byKey) expect(mostAtOnce(runs)).toBe(2);
      const slots = await stack.db.pool.query<{ held: number }>(`SELECT held FROM concurrency_slots WHERE workflow_name = 'LimitedBackup'`);
      expect(slots.rows.map((r) => r.held)).toEqual([0, 0, 0, 0, 0]);
      expect((await stack.db.pool.query(`SELECT 1 FROM run_admissions`)).rowCount).toBe(0);
    } finally {
      await ownLoop.stop();
      for (const other of others) await other.close();
    }
  }, 90_000);

  it('a run over the limit waits READY with its roots held, first started first, and is admitted when a run of its key ends', async () => {
    stack = await fixture.start();
    const gates = new Map<string, () => void>();
    const order: string[] = [];
    await stack.engine.registerWorkflow(
      defineWorkflow({ name: 'OnePerCustomer', concurrency: { limit: 1, key: 'customer.id' } }).node('work', async (ctx) => {
        const tag = (ctx.input as { tag: string }).tag;
        order.push(tag);
        await new Promise<void>((resolve) => gates.set(tag, resolve));
        return tag;
      }),
    );
    const start = (tag: string, customer: string) => stack.engine.startRun({ workflow: 'OnePerCustomer', input: { tag, customer: { id: customer } } });
    const a = await start('a', 'c1');
    const b = await start('b', 'c1');
    const c = await start('c', 'c1');
    const other = await start('other', 'c2');
    await stack.waitFor(a.run.id, (r) => r.statusName === 'RUNNING');
    await stack.waitFor(other.run.id, (r) => r.statusName === 'RUNNING');
    const waiting = await stack.engine.getRun(b.run.id);
    expect(waiting.statusName).toBe('READY');
    expect(waiting.nodes[0]!.statusName).toBe('WAIT');
    gates.get('a')!();
    await stack.waitFor(b.run.id, (r) => r.statusName === 'RUNNING');
    expect((await stack.engine.getRun(c.run.id)).statusName).toBe('READY');
    // A waiting run cancelled frees no slot and is never run.
    await stack.engine.cancelRun(c.run.id);
    gates.get('b')!();
    gates.get('other')!();
    expect((await stack.waitForEnd(c.run.id)).statusName).toBe('CANCEL');
    expect((await stack.waitForEnd(b.run.id)).statusName).toBe('SUCCESS');
    expect((await stack.waitForEnd(other.run.id)).statusName).toBe('SUCCESS');
    expect(order).toEqual(['a', 'other', 'b']);
    const slots = await stack.db.pool.query<{ key: string; held: number }>(`SELECT key, held FROM concurrency_slots WHERE workflow_name = 'OnePerCustomer' ORDER BY key`);
    expect(slots.rows).toEqual([{ key: 'c1', held: 0 }, { key: 'c2', held: 0 }]);
  });
});
