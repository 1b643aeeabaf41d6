import { BackupCluster } from '@flowline/engine';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { QueueName, bullPrefix } from '../../engine/src/queue/keys.ts';
import { nodeNamed as node, stackFixture, summary, type TestStack } from './testStack.ts';

const fixture = stackFixture();
let stack: TestStack;

describe('execution', () => {
  it('runs BackupCluster end to end with the TiEM-style result texts stored', async () => {
    stack = await fixture.start();
    await stack.engine.registerWorkflow(BackupCluster);
    const { run } = await stack.engine.startRun({ workflow: 'BackupCluster', bizId: 'cluster-1', bizType: 'cluster' });
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'SUCCESS', backup: 'SUCCESS', updateBackupRecord: 'SUCCESS', end: 'SUCCESS' });
    expect(node(done, 'backup').result).toBe(
      'get cluster cluster-1 tidb address: 127.0.0.1:4000 \nconvert storage type: s3 \nbackup cluster cluster-1 \nCompleted.\n',
    );
    expect(node(done, 'updateBackupRecord').result).toMatch(/^update backup record [\w-]{22} of cluster cluster-1 \nCompleted.\n$/);
    expect(node(done, 'end').result).toBe('Completed.\n');
    expect(done.startTime).not.toBeNull();
    expect(done.endTime!.getTime()).toBeGreaterThanOrEqual(done.startTime!.getTime());
  });

  it('runs a fan-out and a join, the join only after every branch, with parents\' outputs passed on', async () => {
    stack = await fixture.start();
    await stack.define({
      name: 'FanOut',
      nodes: [
        { name: 'root', type: 'noop', params: { from: 'root' } },
        ...['a', 'b', 'c', 'd'].map((n) => ({ name: n, type: 'sleep', dependsOn: ['root'], params: { ms: 20 } })),
        { name: 'join', type: 'noop', dependsOn: ['a', 'b', 'c', 'd'] },
      ],
    });
    const { run } = await stack.engine.startRun({ workflow: 'FanOut' });
    const done = await stack.waitForEnd(run.id);
    expect(done.statusName).toBe('SUCCESS');
    const join = node(done, 'join');
    for (const branch of ['a', 'b', 'c', 'd']) {
      expect(join.startedAt!.getTime()).toBeGreaterThanOrEqual(node(done, branch).endedAt!.getTime());
      expect(node(done, branch).output).toEqual({ sleptMs: 20 });
    }
  });

  it('retries a failing node with backoff, then succeeds', async () => {
    stack = await fixture.start();
    await stack.define({
      name: 'Flaky',
      nodes: [{ name: 'flaky', type: 'fail', retries: 3, backoffMs: 50, params: { failAttempts: 2 } }],
    });
    const { run } = await stack.engine.startRun({ workflow: 'Flaky' });
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'SUCCESS', flaky: 'SUCCESS' });
    expect(node(done, 'flaky').attempt).toBe(3);
    expect(node(done, 'flaky').output).toEqual({ attempt: 3 });
  });

  it('times a slow node out as TIMEOUT and the run with it', async () => {
    stack = await fixture.start();
    await stack.define({ name: 'Slow', nodes: [{ name: 'slow', type: 'sleep', timeoutMs: 100, params: { ms: 10_000 } }] });
    const { run } = await stack.engine.startRun({ workflow: 'Slow' });
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'TIMEOUT', slow: 'TIMEOUT' });
    expect(node(done, 'slow').error).toBe('timed out after 100 ms');
  });

  it('fails the run at a failing node; downstream nodes never run', async () => {
    stack = await fixture.start();
    await stack.define({
      name: 'Broken',
      nodes: [
        { name: 'first', type: 'noop' },
        { name: 'broken', type: 'fail', dependsOn: ['first'], params: { message: 'disk full' } },
        { name: 'after', type: 'noop', dependsOn: ['broken'] },
      ],
    });
    const { run } = await stack.engine.startRun({ workflow: 'Broken' });
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'FAIL', first: 'SUCCESS', broken: 'FAIL', after: 'CANCEL' });
    expect(node(done, 'broken').error).toBe('disk full');
    expect(node(done, 'after').startedAt).toBeNull();
  });

  it('cancels a sleeping node through its AbortSignal', async () => {
    stack = await fixture.start();
    await stack.define({
      name: 'Sleepy',
      nodes: [
        { name: 'nap', type: 'sleep', params: { ms: 30_000 } },
        { name: 'after', type: 'noop', dependsOn: ['nap'] },
      ],
    });
    const { run } = await stack.engine.startRun({ workflow: 'Sleepy' });
    await stack.waitFor(run.id, (r) => node(r, 'nap').statusName === 'RUNNING');
    const started = Date.now();
    await stack.engine.cancelRun(run.id);
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'CANCEL', nap: 'CANCEL', after: 'CANCEL' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('suspends a run between nodes and resumes it to completion', async () => {
    stack = await fixture.start();
    await stack.define({
      name: 'Pausable',
      nodes: [
        { name: 'one', type: 'sleep', params: { ms: 300 } },
        { name: 'two', type: 'noop', dependsOn: ['one'] },
      ],
    });
    const { run } = await stack.engine.startRun({ workflow: 'Pausable' });
    await stack.waitFor(run.id, (r) => node(r, 'one').statusName === 'RUNNING');
    await stack.engine.suspendRun(run.id);
    const parked = await stack.waitFor(run.id, (r) => node(r, 'one').statusName === 'SUCCESS');
    await new Promise((r) => setTimeout(r, 200));
    const still = await stack.engine.getRun(run.id);
    expect(summary(still)).toEqual({ run: 'SUSPEND', one: 'SUCCESS', two: 'SUSPEND' });
    expect(parked.statusName).toBe('SUSPEND');
    await stack.engine.resumeRun(run.id);
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'SUCCESS', one: 'SUCCESS', two: 'SUCCESS' });
  });

  it('reruns from the failed node, keeping the successful nodes\' results', async () => {
    stack = await fixture.start();
    // The fail node passes from attempt 2 on: a rerun bumps its attempt.
    await stack.define({
      name: 'Rerunnable',
      nodes: [
        { name: 'good', type: 'noop', params: { v: 1 } },
        { name: 'bad', type: 'fail', dependsOn: ['good'], params: { failAttempts: 1 } },
        { name: 'tail', type: 'noop', dependsOn: ['bad'] },
      ],
    });
    const { run } = await stack.engine.startRun({ workflow: 'Rerunnable' });
    const failed = await stack.waitForEnd(run.id);
    expect(summary(failed)).toEqual({ run: 'FAIL', good: 'SUCCESS', bad: 'FAIL', tail: 'CANCEL' });
    const goodBefore = node(failed, 'good');
    await stack.engine.rerunRun(run.id);
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'SUCCESS', good: 'SUCCESS', bad: 'SUCCESS', tail: 'SUCCESS' });
    expect(node(done, 'good')).toEqual(goodBefore);
    expect(node(done, 'bad').attempt).toBe(2);
  });

  it('skips a node that has not been reached; its child runs', async () => {
    stack = await fixture.start();
    await stack.define({
      name: 'Skippable',
      nodes: [
        { name: 'gate', type: 'sleep', params: { ms: 300 } },
        { name: 'optional', type: 'fail', dependsOn: ['gate'] },
        { name: 'finish', type: 'noop', dependsOn: ['optional'] },
      ],
    });
    const { run } = await stack.engine.startRun({ workflow: 'Skippable' });
    await stack.engine.skipNode(run.id, 'optional');
    const done = await stack.waitForEnd(run.id);
    expect(summary(done)).toEqual({ run: 'SUCCESS', gate: 'SUCCESS', optional: 'SKIP', finish: 'SUCCESS' });
    // Skipped while its parent still ran, it is skipped once reached: its child never starts before the parent ends.
    expect(node(done, 'finish').startedAt!.getTime()).toBeGreaterThanOrEqual(node(done, 'gate').endedAt!.getTime());
  });

  it('two workers given the same node attempt never both run it to SUCCESS', async () => {
    stack = await fixture.start({ workers: 2 });
    let executions = 0;
    stack.registry.register('Contended.once', async () => {
      executions++;
      await new Promise((r) => setTimeout(r, 50));
    });
    await stack.define({ name: 'Contended', nodes: [{ name: 'once', type: 'code', handler: 'Contended.once' }] });
    const runs = await Promise.all(Array.from({ length: 20 }, () => stack.engine.startRun({ workflow: 'Contended' })));
    // Deliver every node attempt a second time under another job id, as a duplicate delivery would.
    const queue = new Queue(QueueName.NODES, { connection: stack.redis, prefix: bullPrefix(stack.prefix) });
    await queue.addBulk(runs.map(({ run }) => ({ name: 'dup', data: { runId: run.uuid, node: 'once', attempt: 1 }, opts: { jobId: `dup-${run.id}` } })));
    await queue.close();
    const done = await Promise.all(runs.map(({ run }) => stack.waitForEnd(run.id)));
    expect(done.every((r) => r.statusName === 'SUCCESS')).toBe(true);
    expect(executions).toBe(20);
  });
});
