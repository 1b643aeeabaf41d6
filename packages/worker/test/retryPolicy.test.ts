import { defineWorkflow } from '@flowline/engine';
import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '../src/index.ts';
import { nodeNamed, stackFixture, type TestStack } from './testStack.ts';

/**
 * Retry policies on a real engine, worker, Postgres and Redis: a handler's
 * NonRetryableError and a definition's non-retryable codes fail the node at
 * once, its retries unused; other errors are retried as before.
 */
const fixture = stackFixture();
let stack: TestStack;

describe('retry policies', () => {
  it('a handler throwing NonRetryableError fails its node at once, with its code in the record, though retries remain', async () => {
    stack = await fixture.start();
    let calls = 0;
    await stack.engine.registerWorkflow(
      defineWorkflow({
        name: 'Charge',
        nodes: [
          {
            name: 'charge',
            retries: 5,
            backoffMs: 0,
            run: async () => {
              calls++;
              throw new NonRetryableError('card declined', { code: 'CARD_DECLINED' });
            },
          },
          { name: 'ship', dependsOn: ['charge'], run: async () => 'shipped' },
        ],
      }),
    );
    const { run } = await stack.engine.startRun({ workflow: 'Charge' });
    const done = await stack.waitForEnd(run.id);
    expect(done.statusName).toBe('FAIL');
    expect(nodeNamed(done, 'charge')).toMatchObject({ statusName: 'FAIL', attempt: 1, error: 'card declined (non-retryable CARD_DECLINED)' });
    expect(nodeNamed(done, 'ship').statusName).toBe('CANCEL');
    expect(calls).toBe(1);
  });

  it('a JSON definition lists the codes not worth retrying: a listed code fails at once, another is retried', async () => {
    stack = await fixture.start();
    await stack.define({
      name: 'Codes',
      nodes: [
        { name: 'gone', type: 'fail', retries: 3, backoffMs: 0, params: { code: 'HTTP_404' }, retry: { nonRetryable: ['HTTP_404', 'HTTP_410'] } },
        { name: 'flaky', type: 'fail', retries: 3, backoffMs: 0, params: { code: 'HTTP_503', failAttempts: 2 }, retry: { nonRetryable: ['HTTP_404'], backoffMaxMs: 50, jitter: 1 } },
      ],
    });
    const { run } = await stack.engine.startRun({ workflow: 'Codes' });
    const done = await stack.waitFor(run.id, (r) => r.nodes.every((n) => n.statusName === 'FAIL' || n.statusName === 'SUCCESS'));
    expect(nodeNamed(done, 'gone')).toMatchObject({ statusName: 'FAIL', attempt: 1 });
    expect(nodeNamed(done, 'gone').error).toContain('(non-retryable HTTP_404)');
    expect(nodeNamed(done, 'flaky')).toMatchObject({ statusName: 'SUCCESS', attempt: 3 });
  });
});
