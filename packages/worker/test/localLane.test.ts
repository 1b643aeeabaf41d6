import { Reconciler, connectRedis, defineWorkflow, type NodeContext } from '@flowline/engine';
import { TEST_REDIS_URL } from '@flowline/engine/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { recordStatements, stackFixture, summary, type TestStack } from './testStack.ts';

/**
 * The local lane: a worker sharing its engine's process runs the attempts that
 * engine makes READY without a queue round trip: at once while it has free
 * slots, the rest from a bounded local queue. What it cannot take is queued in
 * Redis, and still runs.
 */
const fixture = stackFixture();
let stack: TestStack;
const redis = connectRedis(TEST_REDIS_URL);

afterAll(() => redis.disconnect());

/** How many jobs were ever added to the stack's queue (BullMQ's event stream records each add). */
async function jobsAdded(prefix: string): Promise<number> {
  const streams = await redis.keys(`{${prefix}}*:events`);
  let added = 0;
  for (const stream of streams) {
    const entries = await redis.xrange(stream, '-', '+');
    added += entries.filter(([, fields]) => fields[0] === 'event' && fields[1] === 'added').length;
  }
  return added;
}

describe('the local lane', () => {
  it('runs a chain started in the worker’s own process without queueing a single job', async () => {
    stack = await fixture.start({ concurrency: 10 });
    const done = await runChain(stack);
    expect(summary(done)).toEqual({ run: 'SUCCESS', a: 'SUCCESS', b: 'SUCCESS', c: 'SUCCESS' });
    expect(await jobsAdded(stack.prefix)).toBe(0);
  });

  it('claims each chain step for itself in the very write that releases it: the step starts the instant its parent ends', async () => {
    stack = await fixture.start({ concurrency: 10 });
    const done = await runChain(stack);
    const [a, b, c] = ['a', 'b', 'c'].map((name) => done.nodes.find((n) => n.name === name)!);
    // One statement ended the parent and started the child, so both carry its timestamp.
    expect(b!.startedAt).toEqual(a!.endedAt);
    expect(c!.startedAt).toEqual(b!.endedAt);
    expect(done.nodes.every((n) => n.attempt === 1)).toBe(true);
  });

  it('passes a parent’s output to a child claimed as it is released', async () => {
    stack = await fixture.start({ concurrency: 10 });
    const seen: unknown[] = [];
    await stack.engine.registerWorkflow(
      defineWorkflow({
        name: 'Outputs',
        nodes: [
          { name: 'a', run: async () => ({ from: 'a' }) },
          { name: 'b', run: async () => ({ from: 'b' }) },
          { name: 'c', dependsOn: ['a'], run: async () => ({ from: 'c' }) },
          { name: 'd', dependsOn: ['b', 'c'], run: async (ctx) => (seen.push(ctx.parents), null) },
          // a null output is not read out of Postgres, yet every parent is there
          { name: 'e', dependsOn: ['a', 'd'], run: async (ctx) => (seen.push(ctx.parents), null) },
        ],
      }),
    );
    const { run } = await stack.engine.startRun({ workflow: 'Outputs' });
    expect((await stack.waitForEnd(run.id)).statusName).toBe('SUCCESS');
    // d is released by c's success (or b's): one parent's output comes from the report, the other's from Postgres.
    expect(seen).toEqual([{ b: { from: 'b' }, c: { from: 'c' } }, { a: { from: 'a' }, d: null }]);
  });

  it('hands the children waiting in its local queue their parent’s output from the decision, each its own copy as Postgres holds it', async () => {
    stack = await fixture.start({ concurrency: 2 });
    const seen: unknown[] = [];
    const children = Array.from({ length: 6 }, (_, i) => `c${i}`);
    await stack.engine.registerWorkflow(
      defineWorkflow({
        name: 'SharedOutput',
        nodes: [
          { name: 'root', run: async () => ({ at: new Date('2026-01-01T00:00:00Z'), list: [1] }) },
          // each child changes what it was given: no sibling may see that
          ...children.map((name) => ({ name, dependsOn: ['root'], run: async (ctx: NodeContext) => (seen.push(structuredClone(ctx.parents)), (ctx.parents.root as { list: number[] }).list.push(2), null) })),
        ],
      }),
    );
    const { run } = await stack.engine.startRun({ workflow: 'SharedOutput' });
    expect((await stack.waitForEnd(run.id)).statusName).toBe('SUCCESS');
    expect(seen).toEqual(children.map(() => ({ root: { at: '2026-01-01T00:00:00.000Z', list: [1] } })));
    expect(await jobsAdded(stack.prefix)).toBe(0);
  });

  it('decides a step afresh when its run changed while it ran, not on the state read ahead for it', async () => {
    stack = await fixture.start({ concurrency: 10 });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    await stack.engine.registerWorkflow(
      defineWorkflow({
        name: 'Gated',
        nodes: [
          { name: 'a', run: async () => null },
          { name: 'b', dependsOn: ['a'], run: () => gate.then(() => null) },
          { name: 'c', dependsOn: ['b'], run: async () => null },
          { name: 'd', dependsOn: ['c'], run: async () => null },
        ],
      }),
    );
    const { run } = await stack.engine.startRun({ workflow: 'Gated' });
    await stack.waitFor(run.id, (r) => r.nodes.find((n) => n.name === 'b')!.statusName === 'RUNNING');
    // b's success was read ahead with c waiting; skipping c meanwhile is another decision about the run.
    await stack.engine.skipNode(run.id, 'c');
    openGate();
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'SUCCESS', a: 'SUCCESS', b: 'SUCCESS', c: 'SKIP', d: 'SUCCESS' });
    expect(done.nodes.every((n) => n.attempt === 1)).toBe(true);
  });

  it('runs a fan-out wider than its slots from its local queue, never more at once than its concurrency', async () => {
    stack = await fixture.start({ concurrency: 2 });
    const { done, peak } = await runWide(stack);
    expect(done.statusName).toBe('SUCCESS');
    expect(await jobsAdded(stack.prefix)).toBe(0);
    expect(peak()).toBeLessThanOrEqual(2);
  });

  it('gives the event loop a turn while it works through its local queue: other I/O is not held until the queue is empty', async () => {
    stack = await fixture.start({ concurrency: 50 });
    const width = 400;
    const started: string[] = [];
    let startedBeforeTurn: number | undefined;
    await stack.engine.registerWorkflow(
      defineWorkflow({
        name: 'Instant',
        nodes: [
          { name: 'root', run: async () => null },
          ...Array.from({ length: width }, (_, i) => ({
            name: `c${i}`,
            dependsOn: ['root'],
            run: async () => {
              // handlers that settle at once: one attempt's end starts the next, as microtasks
              if (started.push(`c${i}`) === 1) setImmediate(() => (startedBeforeTurn = started.length));
              return null;
            },
          })),
        ],
      }),
    );
    const { run } = await stack.engine.startRun({ workflow: 'Instant' });
    expect((await stack.waitForEnd(run.id)).statusName).toBe('SUCCESS');
    expect(startedBeforeTurn).toBeLessThan(width / 2);
  });

  it('decides a fan-in it started on what it knows: no success reads the run, and none waits for its lock', async () => {
    stack = await fixture.start({ concurrency: 4 });
    const middle = Array.from({ length: 40 }, (_, i) => `m${i}`);
    await stack.engine.registerWorkflow(
      defineWorkflow({
        name: 'FanIn',
        nodes: [
          { name: 'root', run: async () => null },
          ...middle.map((name) => ({ name, dependsOn: ['root'], run: async () => null })),
          { name: 'join', dependsOn: middle, run: async () => null },
        ],
      }),
    );
    const statements = recordStatements(stack);
    const { run } = await stack.engine.startRun({ workflow: 'FanIn' });
    const done = await stack.waitForEnd(run.id);
    expect(done.statusName).toBe('SUCCESS');
    expect(statements.filter((s) => s === 'load-success-scopes' || s === 'BEGIN')).toEqual([]);
    expect(statements.filter((s) => s === 'apply-commands').length).toBeGreaterThan(0);
  });

  it('without a local queue takes only free slots: the rest is queued in Redis, runs, and the worker stays near its concurrency', async () => {
    stack = await fixture.start({ concurrency: 2, localQueueSize: 0 });
    const { done, peak } = await runWide(stack);
    expect(done.statusName).toBe('SUCCESS');
    // The four that do not fit go to Redis in a batch job (NodeQueue), of which a worker runs what fits its free slots and queues the rest again.
    expect(await jobsAdded(stack.prefix)).toBeGreaterThanOrEqual(1);
    // The queue is asked for fewer jobs while local attempts hold slots; one job it fetched just before may overlap.
    expect(peak()).toBeLessThanOrEqual(3);
  });

  it('hands what waits in its local queue to Redis when it stops, where another worker runs it', async () => {
    stack = await fixture.start({ concurrency: 1 });
    await defineWide(stack);
    const { run } = await stack.engine.startRun({ workflow: 'Wide' });
    await stack.waitFor(run.id, (r) => r.nodes.some((n) => n.name.startsWith('m') && n.statusName === 'SUCCESS'));
    await stack.workers[0]!.close();
    expect(await jobsAdded(stack.prefix)).toBeGreaterThanOrEqual(1);
    await stack.addWorker(1);
    expect((await stack.waitForEnd(run.id)).statusName).toBe('SUCCESS');
  });

  it('a busy worker hands the attempts waiting in its lane to the fleet after a reconcile interval, and each runs once', async () => {
    stack = await fixture.start({ concurrency: 1, reconcileMs: 50 });
    await stack.define({
      name: 'Slow',
      nodes: [
        { name: 'root', type: 'noop' },
        ...['m0', 'm1', 'm2', 'm3'].map((name) => ({ name, type: 'sleep', dependsOn: ['root'], params: { ms: 800 } })),
      ],
    });
    const { run } = await stack.engine.startRun({ workflow: 'Slow' });
    await stack.waitFor(run.id, (r) => r.nodes.some((n) => n.statusName === 'RUNNING' && n.name !== 'root'));
    // Three attempts wait in the worker's local queue, READY and handed to its lane: the lane releases them and queues them in Redis.
    for (const deadline = Date.now() + 3000; (await jobsAdded(stack.prefix)) < 3 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await jobsAdded(stack.prefix)).toBe(3);
    // Released, they are the fleet's: a reconciler pass leaves them to their jobs.
    expect(await new Reconciler(stack.engine, { intervalMs: 50, leaseMs: 30_000 }).reconcile()).toMatchObject({ redispatched: 0 });
    await stack.addWorker(3);
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'SUCCESS', root: 'SUCCESS', m0: 'SUCCESS', m1: 'SUCCESS', m2: 'SUCCESS', m3: 'SUCCESS' });
    expect(done.nodes.every((n) => n.attempt === 1)).toBe(true);
  });
});

/** Runs a → b → c of noop nodes to its end. */
async function runChain(stack: TestStack) {
  await stack.define({
    name: 'Chain',
    nodes: [
      { name: 'a', type: 'noop' },
      { name: 'b', type: 'noop', dependsOn: ['a'] },
      { name: 'c', type: 'noop', dependsOn: ['b'] },
    ],
  });
  const { run } = await stack.engine.startRun({ workflow: 'Chain' });
  return stack.waitForEnd(run.id);
}

/** Starts a run of Wide; how many of its handlers ran at once is known once it ends. */
async function runWide(stack: TestStack) {
  const peak = await defineWide(stack);
  const { run } = await stack.engine.startRun({ workflow: 'Wide' });
  return { done: await stack.waitForEnd(run.id), peak };
}

/** root → six 60 ms handlers → join; answers how many handlers have run at once so far. */
async function defineWide(stack: TestStack): Promise<() => number> {
  let running = 0;
  let peak = 0;
  const middle = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
  await stack.engine.registerWorkflow(
    defineWorkflow({
      name: 'Wide',
      nodes: [
        { name: 'root', run: async () => null },
        ...middle.map((name) => ({
          name,
          dependsOn: ['root'],
          run: async () => {
            peak = Math.max(peak, ++running);
            await new Promise((resolve) => setTimeout(resolve, 60));
            running--;
            return null;
          },
        })),
        { name: 'join', dependsOn: middle, run: async () => null },
      ],
    }),
  );
  return () => peak;
}
