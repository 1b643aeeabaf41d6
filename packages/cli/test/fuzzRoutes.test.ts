import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChaosStack, type ChaosStack } from '../src/chaos/chaosStack.ts';
import { fuzzEveryRoute } from '../src/chaos/fuzzRoutes.ts';

let stack: ChaosStack;
beforeAll(async () => {
  stack = await startChaosStack({ leaseMs: 2000, reconcileMs: 300 });
});
afterAll(async () => {
  await stack.close();
});

describe('fuzzing every route of every surface', () => {
  it('answers 4,000 generated requests — NUL, lone surrogates, deep nesting and prototype keys in every string and object — with no 5xx, and stays up', async () => {
    const result = await fuzzEveryRoute(stack, 4000);
    expect(result.passed, result.verdict).toBe(true);
    // Signed Tencent/Pandora requests must get past the signature check, or their handlers go unfuzzed.
    expect(Number(/\((\d+) signed/.exec(result.verdict)?.[1])).toBeGreaterThan(50);
    // Some hostile values are well-formed enough to be taken: the mutated requests reach the handlers.
    expect(Number(/(\d+) hostile values taken/.exec(result.verdict)?.[1])).toBeGreaterThan(50);
    expect(result.runs).toBe(4000);
  }, 120_000);
});
