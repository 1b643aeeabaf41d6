import { afterEach, describe, expect, it } from 'vitest';
import { startChaosStack, type ChaosStack } from '../src/chaos/chaosStack.ts';
import { flushRedisMidFlight } from '../src/chaos/flushRedis.ts';

/** Short leases and passes, so recovery takes seconds. */
const FAST = { leaseMs: 1000, reconcileMs: 200 };

let stack: ChaosStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

// A worker killed mid-node: see lostWorker.test.ts, at default settings.
describe('crash recovery with real worker processes', () => {
  it('100 runs in flight all finish SUCCESS after their queue\'s Redis keys are deleted', async () => {
    stack = await startChaosStack(FAST);
    const result = await flushRedisMidFlight(stack, 100);
    expect(result.verdict).toBe('100/100');
    // The scenario waits up to 60 s for the runs; a loaded CI machine may need more than vitest's default.
  }, 90_000);
});
