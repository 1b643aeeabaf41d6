import { Queue } from 'bullmq';
import { NODE_BATCH_MAX, QueueName, Reconciler, bullPrefix } from '@flowline/engine';
import { deleteInstallationKeys } from '@flowline/engine/testing';
import { describe, expect, it } from 'vitest';
import { stackFixture, summary, type TestStack } from './testStack.ts';

const fixture = stackFixture();
let stack: TestStack;

const RUNS = 40;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The jobs waiting in the built-in types' queue, counted by state. */
async function waitingJobs(s: TestStack): Promise<Record<string, number>> {
  const queue = new Queue(QueueName.NODES, { connection: s.redis, prefix: bullPrefix(s.prefix) });
  try {
    return await queue.getJobCounts('wait', 'prioritized', 'delayed');
  } finally {
    await queue.close();
  }
}

/** Starts RUNS one-step runs in one batch with no worker up: their roots go to Redis together. */
async function startMany(s: TestStack, name: string): Promise<string[]> {
  await s.define({ name, nodes: [{ name: 'work', type: 'noop' }] });
  const settled = await s.engine.startRuns(Array.from({ length: RUNS }, () => ({ workflow: name })));
  return settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.run.id : ''));
}

describe('node attempts due at once go to Redis in batches', () => {
  it(`the roots of ${RUNS} runs started together are ${Math.ceil(RUNS / NODE_BATCH_MAX)} jobs, and a worker runs each attempt once`, async () => {
    stack = await fixture.start({ workers: 0 });
    const runIds = await startMany(stack, 'Many');
    expect(await waitingJobs(stack)).toEqual({ wait: Math.ceil(RUNS / NODE_BATCH_MAX), prioritized: 0, delayed: 0 });
    await stack.addWorker(4);
    for (const runId of runIds) {
      const done = await stack.waitForEnd(runId);
      expect(summary(done)).toEqual({ run: 'SUCCESS', work: 'SUCCESS' });
      expect(done.nodes[0]!.attempt).toBe(1);
    }
  });

  it('the reconciler leaves attempts alone while a batch dispatched as they became READY waits, and queues them again once Redis lost it', async () => {
    stack = await fixture.start({ workers: 0 });
    const runIds = await startMany(stack, 'Waiting');
    // READY for longer than a reconcile interval: each is checked for a job. The batches were added within one of their READY.
    await pause(400);
    const reconciler = new Reconciler(stack.engine, { intervalMs: 300, leaseMs: 50 });
    expect(await reconciler.reconcile()).toMatchObject({ redispatched: 0 });
    await deleteInstallationKeys(stack.redis, stack.prefix);
    expect(await reconciler.reconcile()).toMatchObject({ redispatched: RUNS });
    expect(await reconciler.reconcile()).toMatchObject({ redispatched: 0 });
    await stack.addWorker();
    for (const runId of runIds) expect(summary(await stack.waitForEnd(runId))).toEqual({ run: 'SUCCESS', work: 'SUCCESS' });
  });
});
