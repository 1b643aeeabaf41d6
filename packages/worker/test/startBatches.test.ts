import { describe, expect, it } from 'vitest';
import { stackFixture, type TestStack } from './testStack.ts';

/** Starts asked for together are written in one statement; one that Postgres refuses must not take its neighbours down. */
const fixture = stackFixture();
let stack: TestStack;

describe('group-committed starts', () => {
  it('write the good starts of a batch when Postgres refuses one of them', async () => {
    stack = await fixture.start();
    await stack.define({ name: 'One', nodes: [{ name: 'only', type: 'noop' }] });
    // jsonb cannot hold U+0000: Postgres refuses this input (22P05) at insert time.
    const starts = ['a', 'b', 'bad', 'c'].map((bizId) => stack.engine.startRun({ workflow: 'One', bizId, input: bizId === 'bad' ? { text: '\u0000' } : {} }));
    const settled = await Promise.allSettled(starts);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    // the client's mistake, as the dialects show a validation error (4xx), not a fault
    expect(settled[2]).toMatchObject({ reason: { code: 'VALIDATION_FAILED' } });
    for (const s of settled) {
      if (s.status === 'fulfilled') expect((await stack.waitForEnd(s.value.run.id)).statusName).toBe('SUCCESS');
    }
  });
});
