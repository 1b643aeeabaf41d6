import { afterEach, describe, expect, it } from 'vitest';
import { startChaosStack, type ChaosStack } from '../src/chaos/chaosStack.ts';
import { killWorkerMidNode } from '../src/chaos/killWorker.ts';
import { RECOVERY_P99_TARGET_S, recoverFromWorkerKill } from '../src/chaos/recoveryTime.ts';

/**
 * A worker killed mid-node costs seconds, never a run: real `flowline worker`
 * processes at flowline's default settings (a 30 s lease, retries 0), so what
 * brings the nodes back is the death watch, not a lease running out.
 */
let stack: ChaosStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('a lost worker, at default settings', () => {
  it('a node with no retries whose worker is SIGKILLed ends SUCCESS on another worker, its record showing the lost attempt', async () => {
    stack = await startChaosStack();
    const result = await killWorkerMidNode(stack);
    console.log(`kill -9 mid-node: ${result.verdict}`);
    expect(result.passed, result.verdict).toBe(true);
  }, 90_000);

  it(`every node of a worker killed holding 50 running nodes and 50 taken jobs starts again on a survivor, p99 within ${RECOVERY_P99_TARGET_S} s`, async () => {
    stack = await startChaosStack();
    const result = await recoverFromWorkerKill(stack, 50);
    console.log(`recovery after kill -9: ${result.verdict}`);
    expect(result.succeeded).toBe(100);
    expect(result.p99).toBeLessThanOrEqual(RECOVERY_P99_TARGET_S);
  }, 120_000);
});
