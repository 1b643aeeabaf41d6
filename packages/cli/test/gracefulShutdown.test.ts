import { afterEach, describe, expect, it } from 'vitest';
import { startChaosStack, type ChaosStack } from '../src/chaos/chaosStack.ts';

let stack: ChaosStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const nodeOf = (run: { nodes: readonly { name: string; statusName: string; attempt: number }[] }, name: string) =>
  run.nodes.find((n) => n.name === name)!;

describe('SIGTERM on a real worker process', () => {
  it('lets a running node finish within the drain time, then exits 0', async () => {
    stack = await startChaosStack({ leaseMs: 2000, reconcileMs: 200, drainMs: 10_000 });
    await stack.define({ name: 'ShortNap', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 800 } }] });
    const worker = await stack.startWorker();
    const [runId] = await stack.startRuns('ShortNap', 1);
    await stack.waitFor(runId!, (run) => nodeOf(run, 'nap').statusName === 'RUNNING', 15_000);
    expect(await worker.kill('SIGTERM')).toBe(0);
    const run = await stack.engine.getRun(runId!);
    expect(run.statusName).toBe('SUCCESS');
    expect(nodeOf(run, 'nap').attempt).toBe(1);
  });

  it('past the drain time releases the node, which another worker then runs to SUCCESS', async () => {
    stack = await startChaosStack({ leaseMs: 30_000, reconcileMs: 200, drainMs: 300 });
    // The nap outlasts SIGTERM, the 300 ms drain and the process's exit even on a loaded machine
    // (at 1.5 s it could end first, under load, and succeed on attempt 1).
    await stack.define({ name: 'LongNap', nodes: [{ name: 'nap', type: 'sleep', retries: 1, backoffMs: 0, params: { ms: 4000 } }] });
    const worker = await stack.startWorker();
    const [runId] = await stack.startRuns('LongNap', 1);
    await stack.waitFor(runId!, (run) => nodeOf(run, 'nap').statusName === 'RUNNING', 15_000);
    const stopping = Date.now();
    expect(await worker.kill('SIGTERM')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(5000);
    // The lease (30 s) was released at stop, so the next worker retries the node at once, not after it lapses.
    await stack.startWorker();
    const [run] = await stack.waitForRuns([runId!], 15_000);
    expect(run!.statusName).toBe('SUCCESS');
    expect(nodeOf(run!, 'nap').attempt).toBe(2);
  });
});
