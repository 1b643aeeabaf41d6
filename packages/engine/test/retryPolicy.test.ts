import { describe, expect, it } from 'vitest';
import { decide } from '../src/core/decide.ts';
import { retryDelayMs, type NodeRetryPolicy } from '../src/core/retryPolicy.ts';
import type { Command, RunEvent, RunState } from '../src/core/runState.ts';
import { Status as S } from '../src/core/status.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

/** One running node `a` (attempt 1 unless said) with three retries and a child `b`, under a retry policy. */
function run(retry: NodeRetryPolicy | undefined, options: { attempt?: number; id?: string } = {}): RunState {
  return {
    id: options.id ?? '0190a0c4-0000-7000-8000-000000000001',
    status: S.RUNNING,
    cancelRequested: false,
    nodes: [
      { name: 'a', status: S.RUNNING, attempt: options.attempt ?? 1, parents: [], children: ['b'], retries: 3, backoffMs: 1000, leaseOwner: null, ...(retry ? { retry } : {}) },
      { name: 'b', status: S.WAIT, attempt: 1, parents: ['a'], children: [], retries: 0, backoffMs: 1000, leaseOwner: null },
    ],
  };
}

const failed = (attempt = 1, cause: { errorCode?: string; nonRetryable?: boolean } = {}): RunEvent => ({
  type: 'NODE_FAILED',
  node: 'a',
  attempt,
  failure: 'FAIL',
  outcome: { error: 'boom' },
  ...cause,
});
const delayOf = (commands: Command[]) => {
  const enqueue = commands.find((c) => c.type === 'ENQUEUE');
  return enqueue?.type === 'ENQUEUE' ? enqueue.runAt.getTime() - NOW.getTime() : undefined;
};
const writeOf = (commands: Command[], node: string) => commands.find((c) => c.type === 'SET_NODE' && c.node === node) as Extract<Command, { type: 'SET_NODE' }>;

describe('retry policy: non-retryable errors', () => {
  it('a NonRetryableError fails the node at once, its retries unused, and the run with it', () => {
    const commands = decide(run(undefined), failed(1, { nonRetryable: true, errorCode: 'CARD_DECLINED' }), NOW);
    expect(writeOf(commands, 'a')).toMatchObject({ from: S.RUNNING, to: S.FAIL, outcome: { error: 'boom (non-retryable CARD_DECLINED)' } });
    expect(writeOf(commands, 'a').nextAttempt).toBeUndefined();
    expect(writeOf(commands, 'b')).toMatchObject({ to: S.CANCEL });
    expect(commands).toContainEqual({ type: 'SET_RUN', from: S.RUNNING, to: S.FAIL });
    expect(delayOf(commands)).toBeUndefined();
  });

  it('an error whose code the policy lists is not retried', () => {
    const commands = decide(run({ nonRetryable: ['HTTP_404'] }), failed(1, { errorCode: 'HTTP_404' }), NOW);
    expect(writeOf(commands, 'a')).toMatchObject({ to: S.FAIL, outcome: { error: 'boom (non-retryable HTTP_404)' } });
  });

  it('an error with a code the policy does not list is retried', () => {
    const commands = decide(run({ nonRetryable: ['HTTP_404'] }), failed(1, { errorCode: 'HTTP_503' }), NOW);
    expect(writeOf(commands, 'a')).toMatchObject({ to: S.READY, nextAttempt: 2, outcome: { error: 'boom' } });
    expect(delayOf(commands)).toBe(1000);
  });

  it('an error without a code is retried whatever the policy lists', () => {
    expect(writeOf(decide(run({ nonRetryable: ['HTTP_404'] }), failed(), NOW), 'a')).toMatchObject({ to: S.READY, nextAttempt: 2 });
  });
});

describe('retry policy: backoff', () => {
  it('without a policy the delay doubles per attempt as before', () => {
    expect(delayOf(decide(run(undefined, { attempt: 3 }), failed(3), NOW))).toBe(4000);
  });

  it('backoffMaxMs caps the doubling', () => {
    expect(delayOf(decide(run({ backoffMaxMs: 2500 }, { attempt: 2 }), failed(2), NOW))).toBe(2000);
    expect(delayOf(decide(run({ backoffMaxMs: 2500 }, { attempt: 3 }), failed(3), NOW))).toBe(2500);
  });

  it('jitter takes off at most its share of the capped delay', () => {
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(1000, { jitter: 0.5, backoffMaxMs: 3000 }, 3, `run-${i}/a/3`);
      expect(delay).toBeGreaterThan(1500);
      expect(delay).toBeLessThanOrEqual(3000);
    }
  });

  it('jitter is the same for the same run, node and attempt, so deciding a failure again gives the same delay', () => {
    const state = run({ jitter: 1 }, { attempt: 2 });
    expect(delayOf(decide(state, failed(2), NOW))).toBe(delayOf(decide(state, failed(2), NOW)));
  });

  it('jitter spreads the retries of different runs', () => {
    const delays = new Set(Array.from({ length: 50 }, (_, i) => delayOf(decide(run({ jitter: 1 }, { id: `run-${i}` }), failed(), NOW))));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(1000);
  });
});
