import { afterEach, describe, expect, it } from 'vitest';
import { startChaosStack, type ChaosStack } from '../src/chaos/chaosStack.ts';
import { flushRedisMidFlight } from '../src/chaos/flushRedis.ts';
import { killWorkerMidNode } from '../src/chaos/killWorker.ts';

/** Short leases and passes, so recovery takes seconds. */
const FAST = { leaseMs: 1000, reconcileMs: 200 };

let stack: ChaosStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('crash recovery with real worker processes', () => {
  it('a run whose worker is SIGKILLed mid-node finishes SUCCESS on a new worker, the node completed once', async () => {
    stack = await startChaosStack(FAST);
    const result = await killWorkerMidNode(stack);
    expect(result.verdict).toBe('recovered, completed once');
    expect(result.passed).toBe(true);
  }, 90_000);

  it('100 runs in flight all finish SUCCESS after their queue\'s Redis keys are deleted', async () => {
    stack = await startChaosStack(FAST);
    const result = await flushRedisMidFlight(stack, 100);
    expect(result.verdict).toBe('100/100');
    // The scenario waits up to 60 s for the runs; a loaded CI machine may need more than vitest's default.
  }, 90_000);
});
