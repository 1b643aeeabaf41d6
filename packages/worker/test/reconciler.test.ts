import { Reconciler, toRunUuid } from '@flowline/engine';
import { deleteInstallationKeys } from '@flowline/engine/testing';
import { claimNodes } from '../../engine/src/storage/claimNodes.ts';
import { describe, expect, it } from 'vitest';
import { nodeNamed as node, stackFixture, summary, type TestStack } from './testStack.ts';

const fixture = stackFixture();
let stack: TestStack;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reconciler with a short grace, driven pass by pass. */
const reconcilerOf = (s: TestStack, leaseMs = 50, maxLostAttempts = 3) => new Reconciler(s.engine, { intervalMs: 50, leaseMs, maxLostAttempts });

/** Claims a node as a worker that then dies: the row is RUNNING under a lease nobody renews. */
async function claimAsDeadWorker(runId: string, name: string, leaseMs: number): Promise<void> {
  const claimed = await claimNodes(fixture.database().db.pool, {
    attempts: [{ runId: toRunUuid(runId)!, node: name, attempt: 1 }],
    leaseOwner: 'worker:dead',
    leaseMs,
    now: new Date(),
  });
  expect(claimed.size).toBe(1);
}

async function startOne(s: TestStack, spec: Parameters<TestStack['define']>[0]): Promise<string> {
  await s.define(spec);
  const { run } = await s.engine.startRun({ workflow: spec.name });
  return run.id;
}

describe('reconciler', () => {
  it('retries a node whose worker died once its lease expires, and the retry completes it once', async () => {
    stack = await fixture.start({ workers: 0 });
    const runId = await startOne(stack, { name: 'Orphan', nodes: [{ name: 'work', type: 'noop', retries: 1, backoffMs: 0 }] });
    await claimAsDeadWorker(runId, 'work', 1);
    await pause(10);
    expect(await reconcilerOf(stack).reconcile()).toMatchObject({ abandoned: 1 });
    await stack.addWorker();
    const done = await stack.waitForEnd(runId);
    expect(summary(done)).toEqual({ run: 'SUCCESS', work: 'SUCCESS' });
    expect(node(done, 'work').attempt).toBe(2);
  });

  it('re-runs a node with no retries whose worker died, and records the lost attempt apart from its retries', async () => {
    stack = await fixture.start({ workers: 0 });
    const runId = await startOne(stack, { name: 'OrphanNoRetry', nodes: [{ name: 'work', type: 'noop' }] });
    await claimAsDeadWorker(runId, 'work', 1);
    await pause(10);
    expect(await reconcilerOf(stack).reconcile()).toMatchObject({ abandoned: 1 });
    await stack.addWorker();
    const done = await stack.waitForEnd(runId);
    expect(summary(done)).toEqual({ run: 'SUCCESS', work: 'SUCCESS' });
    const work = node(done, 'work');
    expect({ attempt: work.attempt, lostAttempts: work.lostAttempts }).toEqual({ attempt: 2, lostAttempts: 1 });
    expect(work.attempts).toEqual([
      expect.objectContaining({ attempt: 1, statusName: 'INTERNAL_ERROR', lost: true, worker: 'worker:dead', error: expect.stringMatching(/^attempt 1 lost: its worker stopped renewing the lease; re-run \(1 of 3/) }),
    ]);
  });

  it('fails the run when its node lost more attempts than allowed, saying why', async () => {
    stack = await fixture.start({ workers: 0 });
    const runId = await startOne(stack, { name: 'OrphanOutOfLost', nodes: [{ name: 'work', type: 'noop', retries: 2 }] });
    await claimAsDeadWorker(runId, 'work', 1);
    await pause(10);
    await reconcilerOf(stack, 50, 0).reconcile();
    const done = await stack.engine.getRun(runId);
    expect(summary(done)).toEqual({ run: 'INTERNAL_ERROR', work: 'INTERNAL_ERROR' });
    expect(node(done, 'work').error).toBe('attempt 1 lost: its worker stopped renewing the lease; 1 attempts lost, more than the 0 allowed');
  });

  it('leaves alone a node whose worker keeps renewing its lease', async () => {
    stack = await fixture.start({ leaseMs: 300 });
    const runId = await startOne(stack, { name: 'LongNap', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 1000 } }] });
    const reconciler = reconcilerOf(stack, 300);
    await stack.waitFor(runId, (r) => node(r, 'nap').statusName === 'RUNNING');
    for (let i = 0; i < 5; i++) {
      await pause(200);
      expect(await reconciler.reconcile()).toMatchObject({ abandoned: 0 });
    }
    const done = await stack.waitForEnd(runId);
    expect(summary(done)).toEqual({ run: 'SUCCESS', nap: 'SUCCESS' });
    expect(node(done, 'nap').attempt).toBe(1);
  });

  it('refuses the completion of a worker whose lease was taken over', async () => {
    stack = await fixture.start();
    const runId = await startOne(stack, { name: 'TakenOver', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 300 } }] });
    await stack.waitFor(runId, (r) => node(r, 'nap').statusName === 'RUNNING');
    await fixture.database().db.pool.query(`UPDATE node_runs SET lease_owner = 'reconciler:other' WHERE run_id = $1`, [toRunUuid(runId)]);
    await pause(600);
    const after = await stack.engine.getRun(runId);
    expect(summary(after)).toEqual({ run: 'RUNNING', nap: 'RUNNING' });
    expect(node(after, 'nap').result).toBe('');
  });

  it('times out a node past its timeout even though its worker died with a live lease', async () => {
    stack = await fixture.start({ workers: 0 });
    const runId = await startOne(stack, { name: 'Hung', nodes: [{ name: 'slow', type: 'sleep', timeoutMs: 100, params: { ms: 60_000 } }] });
    await claimAsDeadWorker(runId, 'slow', 60_000);
    await pause(200);
    expect(await reconcilerOf(stack).reconcile()).toMatchObject({ abandoned: 1 });
    const done = await stack.engine.getRun(runId);
    expect(summary(done)).toEqual({ run: 'TIMEOUT', slow: 'TIMEOUT' });
    expect(node(done, 'slow').error).toBe('timed out after 100 ms');
  });

  it('finishes a cancel that no worker acknowledged', async () => {
    stack = await fixture.start({ workers: 0 });
    const runId = await startOne(stack, {
      name: 'Deaf',
      nodes: [
        { name: 'nap', type: 'sleep', params: { ms: 60_000 } },
        { name: 'after', type: 'noop', dependsOn: ['nap'] },
      ],
    });
    await claimAsDeadWorker(runId, 'nap', 60_000);
    await stack.engine.cancelRun(runId);
    // A claim writes its node alone; the worker died before marking its run RUNNING (runtime/runStartMarks.ts).
    expect(summary(await stack.engine.getRun(runId))).toEqual({ run: 'READY', nap: 'RUNNING', after: 'CANCEL' });
    await pause(100);
    await reconcilerOf(stack).reconcile();
    expect(summary(await stack.engine.getRun(runId))).toEqual({ run: 'CANCEL', nap: 'CANCEL', after: 'CANCEL' });
  });

  it('aborts a node through its heartbeat when the run asks to cancel and the abort message was lost', async () => {
    stack = await fixture.start({ leaseMs: 300 });
    const runId = await startOne(stack, { name: 'MissedAbort', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 60_000 } }] });
    await stack.waitFor(runId, (r) => node(r, 'nap').statusName === 'RUNNING');
    // The flag alone, as if the pub/sub message never arrived.
    await fixture.database().db.pool.query(`UPDATE workflow_runs SET cancel_requested = true WHERE id = $1`, [toRunUuid(runId)]);
    const done = await stack.waitForEnd(runId, 3000);
    expect(summary(done)).toEqual({ run: 'CANCEL', nap: 'CANCEL' });
  });

  it('re-dispatches a READY node whose queue job Redis lost, once', async () => {
    stack = await fixture.start({ workers: 0 });
    const runId = await startOne(stack, { name: 'Lost', nodes: [{ name: 'work', type: 'noop' }] });
    await deleteInstallationKeys(stack.redis, stack.prefix);
    await pause(60);
    const reconciler = reconcilerOf(stack);
    expect(await reconciler.reconcile()).toMatchObject({ redispatched: 1 });
    expect(await reconciler.reconcile()).toMatchObject({ redispatched: 0 });
    await stack.addWorker();
    expect(summary(await stack.waitForEnd(runId))).toEqual({ run: 'SUCCESS', work: 'SUCCESS' });
  });

  it('closes a run whose nodes have all ended', async () => {
    stack = await fixture.start({ workers: 0 });
    const runId = await startOne(stack, { name: 'Unsettled', nodes: [{ name: 'work', type: 'noop' }] });
    await fixture.database().db.pool.query(`UPDATE node_runs SET status = 1 WHERE run_id = $1`, [toRunUuid(runId)]);
    // Not while the run's last write is younger than a lease (50 ms here): it may still be being decided.
    expect(await reconcilerOf(stack, 60_000).reconcile()).toMatchObject({ settled: 0 });
    await fixture.database().db.pool.query(`UPDATE workflow_runs SET updated_at = now() - interval '1 second' WHERE id = $1`, [toRunUuid(runId)]);
    expect(await reconcilerOf(stack).reconcile()).toMatchObject({ settled: 1 });
    expect(summary(await stack.engine.getRun(runId))).toEqual({ run: 'SUCCESS', work: 'SUCCESS' });
  });

  it('a stopping worker releases the leases of its unfinished nodes, so they are retried at once', async () => {
    stack = await fixture.start();
    const runId = await startOne(stack, { name: 'Interrupted', nodes: [{ name: 'nap', type: 'sleep', retries: 1, params: { ms: 60_000 } }] });
    await stack.waitFor(runId, (r) => node(r, 'nap').statusName === 'RUNNING');
    const worker = stack.workers.pop()!;
    await worker.close();
    expect(await reconcilerOf(stack, 60_000).reconcile()).toMatchObject({ abandoned: 1 });
    const retried = await stack.engine.getRun(runId);
    expect(summary(retried)).toEqual({ run: 'RUNNING', nap: 'READY' });
    expect(node(retried, 'nap').attempt).toBe(2);
  });
});
