import { defineWorkflow, type NodeContext } from '@flowline/engine';
import { describe, expect, it } from 'vitest';
import { recordStatements, stackFixture, summary, type TestStack } from './testStack.ts';

/**
 * Attempts a worker's own engine releases beyond its free slots wait in its
 * local queue with the facts a claim would answer: each runs the moment a
 * slot frees, and is claimed only if it is still running a moment later. One
 * that ends sooner is written READY → SUCCESS by its success alone.
 */
const fixture = stackFixture();
let stack: TestStack;

/** root → `width` children running `child` → nothing else. */
async function defineFanOut(stack: TestStack, width: number, child: (ctx: NodeContext) => Promise<unknown>): Promise<void> {
  await stack.engine.registerWorkflow(
    defineWorkflow({
      name: 'FanOut',
      nodes: [
        { name: 'root', run: async () => null },
        ...Array.from({ length: width }, (_, i) => ({ name: `c${i}`, dependsOn: ['root'], run: child })),
      ],
    }),
  );
}

describe('attempts run before they are claimed', () => {
  it('a fan-out wider than the free slots claims none of its queued children: each is written READY → SUCCESS with its start', async () => {
    stack = await fixture.start({ concurrency: 2 });
    await defineFanOut(stack, 12, async () => ({ ok: true }));
    const statements = recordStatements(stack);
    const { run } = await stack.engine.startRun({ workflow: 'FanOut' });
    const done = await stack.waitForEnd(run.id);
    expect(done.statusName).toBe('SUCCESS');
    // The root is claimed, and the children that fit the free slots are claimed in the root's own write.
    expect(statements.filter((s) => s === 'claim-nodes')).toEqual(['claim-nodes']);
    for (const node of done.nodes) {
      expect(node).toMatchObject({ statusName: 'SUCCESS', attempt: 1, output: node.name === 'root' ? null : { ok: true } });
      expect(node.startedAt!.getTime()).toBeLessThanOrEqual(node.endedAt!.getTime());
    }
  });

  it('one still running a moment later is claimed: it shows RUNNING under the worker’s lease and ends as any claimed attempt', async () => {
    stack = await fixture.start({ concurrency: 2 });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    await defineFanOut(stack, 6, () => gate.then(() => null));
    const { run } = await stack.engine.startRun({ workflow: 'FanOut' });
    const running = await stack.waitFor(run.id, (r) => r.nodes.filter((n) => n.statusName === 'RUNNING').length === 2);
    expect(running.nodes.filter((n) => n.statusName === 'READY')).toHaveLength(4);
    openGate();
    expect(summary(await stack.waitForEnd(run.id))).toEqual({ run: 'SUCCESS', root: 'SUCCESS', c0: 'SUCCESS', c1: 'SUCCESS', c2: 'SUCCESS', c3: 'SUCCESS', c4: 'SUCCESS', c5: 'SUCCESS' });
  });

  it('a cancel stops what runs unclaimed and starts nothing more of the run: each runs at most once, none reports', async () => {
    stack = await fixture.start({ concurrency: 1 });
    const started: string[] = [];
    let aborted = 0;
    await defineFanOut(stack, 6, async (ctx) => {
      started.push(ctx.node);
      if (started.length === 2) {
        // the second child, run unclaimed, cancels its own run, then runs until stopped
        await stack.engine.cancelRun(ctx.runId);
        if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        aborted++;
      }
      return null;
    });
    const { run } = await stack.engine.startRun({ workflow: 'FanOut' });
    const done = await stack.waitForEnd(run.id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(done.statusName).toBe('CANCEL');
    expect(started).toHaveLength(2);
    expect(aborted).toBe(1);
    // The first child may have succeeded before the cancel was decided; every other one is CANCEL.
    const children = done.nodes.filter((n) => n.name !== 'root' && n.name !== 'c0');
    expect(children.map((n) => n.statusName)).toEqual(['CANCEL', 'CANCEL', 'CANCEL', 'CANCEL', 'CANCEL']);
  });

  it('a released child sees what a claim of its row answers, claimed in the release or not: its row’s id, its own copies of params and input, its parents’ outputs, a log of its own', async () => {
    stack = await fixture.start({ concurrency: 2 });
    const seen = new Map<string, { nodeId: string; params: unknown; input: unknown; bizId: string; parents: unknown }>();
    const keys = new Map<string, { runId: string; idempotencyKey: string }>();
    const child = (i: number) => ({
      name: `c${i}`,
      dependsOn: ['root'],
      params: { i, nested: { touched: false } },
      run: async (ctx: NodeContext) => {
        seen.set(ctx.node, { nodeId: ctx.nodeId, params: structuredClone(ctx.params), input: structuredClone(ctx.input), bizId: ctx.bizId, parents: ctx.parents });
        keys.set(ctx.node, { runId: ctx.runId, idempotencyKey: ctx.idempotencyKey });
        const { log } = ctx;
        log(`ran ${ctx.node}`);
        // What one handler does to its copies no other sees.
        (ctx.params.nested as { touched: boolean }).touched = true;
        (ctx.input as { shared: string[] }).shared.push(ctx.node);
        return { from: ctx.node };
      },
    });
    await stack.engine.registerWorkflow(
      defineWorkflow({
        name: 'Released',
        nodes: [
          { name: 'root', run: async () => ({ from: 'root' }) },
          ...Array.from({ length: 6 }, (_, i) => child(i)),
          // released by c5's success, with root's output reported long before: read from its row
          { name: 'late', dependsOn: ['root', 'c5'], run: async (ctx: NodeContext) => (seen.set(ctx.node, { nodeId: ctx.nodeId, params: ctx.params, input: ctx.input, bizId: ctx.bizId, parents: ctx.parents }), null) },
        ],
      }),
    );
    const { run } = await stack.engine.startRun({ workflow: 'Released', bizId: 'biz-1', input: { shared: [] } });
    const done = await stack.waitForEnd(run.id);
    expect(done.statusName).toBe('SUCCESS');
    for (const node of done.nodes.filter((n) => n.name !== 'root')) {
      const i = Number(node.name.slice(1));
      expect(seen.get(node.name)).toEqual({
        nodeId: node.id,
        params: node.name === 'late' ? {} : { i, nested: { touched: false } },
        input: { shared: [] },
        bizId: 'biz-1',
        parents: node.name === 'late' ? { root: { from: 'root' }, c5: { from: 'c5' } } : { root: { from: 'root' } },
      });
      if (node.name === 'late') continue;
      expect(keys.get(node.name)).toEqual({ runId: run.id, idempotencyKey: `${node.id}:1` });
      expect(node.result).toContain(`ran ${node.name}`);
    }
  });
});
