import { describe, expect, it } from 'vitest';
import { RUN_START_MARK_DELAY_MS } from '../../engine/src/runtime/runStartMarks.ts';
import { nodeNamed as node, recordStatements, stackFixture, summary, type TestStack } from './testStack.ts';

const fixture = stackFixture();
let stack: TestStack;

/** Starts a run with no worker up, so its root goes through Redis and is claimed when taken (not in the engine's own lane). */
async function startThroughQueue(spec: Parameters<TestStack['define']>[0]): Promise<string> {
  stack = await fixture.start({ workers: 0 });
  await stack.define(spec);
  const { run } = await stack.engine.startRun({ workflow: spec.name });
  return run.id;
}

describe('a claim writes its node alone; its run shows RUNNING a moment later unless it ends first', () => {
  it('a run whose one node ends at once is written READY → SUCCESS, started when its node was claimed, and never marked', async () => {
    const runId = await startThroughQueue({ name: 'Quick', nodes: [{ name: 'work', type: 'noop' }] });
    const statements = recordStatements(stack);
    await stack.addWorker();
    const done = await stack.waitForEnd(runId);
    expect(summary(done)).toEqual({ run: 'SUCCESS', work: 'SUCCESS' });
    expect(done.startTime).toEqual(node(done, 'work').startedAt);
    expect(done.startTime!.getTime()).toBeLessThanOrEqual(done.endTime!.getTime());
    await new Promise((resolve) => setTimeout(resolve, RUN_START_MARK_DELAY_MS * 2));
    expect(statements).toContain('claim-nodes');
    expect(statements).not.toContain('mark-runs-started');
  });

  it('a run whose node runs on shows RUNNING within the delay, started when its node was claimed', async () => {
    const runId = await startThroughQueue({ name: 'Slow', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 3_000 } }] });
    await stack.addWorker();
    const claimed = await stack.waitFor(runId, (run) => node(run, 'nap').statusName === 'RUNNING');
    const seen = Date.now();
    const running = await stack.waitFor(runId, (run) => run.statusName === 'RUNNING', 2_000);
    expect(Date.now() - seen).toBeLessThan(RUN_START_MARK_DELAY_MS + 1_000);
    expect(running.startTime).toEqual(node(claimed, 'nap').startedAt);
    const done = await stack.waitForEnd(runId, 10_000);
    expect(summary(done)).toEqual({ run: 'SUCCESS', nap: 'SUCCESS' });
    expect(done.startTime).toEqual(running.startTime);
  });

  it('a cancel before the mark ends the run from READY and the late mark leaves it ended', async () => {
    const runId = await startThroughQueue({ name: 'Cancelled', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 30_000 } }] });
    await stack.addWorker();
    await stack.waitFor(runId, (run) => node(run, 'nap').statusName === 'RUNNING');
    await stack.engine.cancelRun(runId);
    const done = await stack.waitForEnd(runId, 10_000);
    await new Promise((resolve) => setTimeout(resolve, RUN_START_MARK_DELAY_MS * 2));
    const after = await stack.engine.getRun(runId);
    expect(summary(after)).toEqual({ run: 'CANCEL', nap: 'CANCEL' });
    expect(after.updatedAt).toEqual(done.updatedAt);
  });
});
