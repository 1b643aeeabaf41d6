import { defineWorkflow } from '@flowline/engine';
import { describe, expect, it } from 'vitest';
import { stackFixture, type TestStack } from './testStack.ts';

/**
 * Priorities through BullMQ: runs started while no worker runs wait as
 * queue jobs; a worker taking one job at a time takes higher-priority runs'
 * nodes first, and runs of one priority first started first — the default
 * priority included, which BullMQ would otherwise put before every other.
 */
const fixture = stackFixture();
let stack: TestStack;

describe('run priorities', () => {
  it('a worker taking one node at a time runs the higher-priority runs first, each priority in start order', async () => {
    stack = await fixture.start({ workers: 0 });
    const order: string[] = [];
    await stack.engine.registerWorkflow(
      defineWorkflow({ name: 'Prioritised' }).node('work', async (ctx) => {
        order.push((ctx.input as { tag: string }).tag);
        return null;
      }),
    );
    const starts: { tag: string; priority?: number }[] = [
      { tag: 'n1' },
      { tag: 'low1', priority: -5 },
      { tag: 'high1', priority: 10 },
      { tag: 'n2', priority: 0 },
      { tag: 'top', priority: 1000 },
      { tag: 'high2', priority: 10 },
      { tag: 'low2', priority: -5 },
      { tag: 'n3' },
    ];
    const runs = [];
    for (const { tag, priority } of starts) runs.push((await stack.engine.startRun({ workflow: 'Prioritised', input: { tag }, ...(priority === undefined ? {} : { priority }) })).run);
    expect(runs.map((r) => r.priority)).toEqual([0, -5, 10, 0, 1000, 10, -5, 0]);
    await stack.addWorker(1);
    for (const run of runs) expect((await stack.waitForEnd(run.id)).statusName).toBe('SUCCESS');
    expect(order).toEqual(['top', 'high1', 'high2', 'n1', 'n2', 'n3', 'low1', 'low2']);
  });

  it('a priority out of range is refused before anything is written', async () => {
    stack = await fixture.start({ workers: 0 });
    await stack.define({ name: 'Plain', nodes: [{ name: 'a', type: 'noop' }] });
    await expect(stack.engine.startRun({ workflow: 'Plain', priority: 1001 })).rejects.toThrow('priority: an integer from -1000 to 1000, not 1001');
    await expect(stack.engine.startRun({ workflow: 'Plain', priority: 1.5 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
