import { Reconciler, bullPrefix, connectRedis, type RunWithNodes } from '@flowline/engine';
import { deleteInstallationKeys, spawnFlowline, startRedisCluster, type RedisCluster } from '@flowline/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeNamed as node, stackFixture, summary, type TestStack, type TestStackOptions } from './testStack.ts';

/**
 * The end-to-end scenarios on a Redis Cluster of the test's own (three
 * masters, a replica each, on loopback ports): every connection of the engine
 * and the workers is an ioredis Cluster, BullMQ's scripts run in the slot of
 * the installation's hash tag, cancels travel over cluster pub/sub.
 */
const fixture = stackFixture();
let cluster: RedisCluster;
let stack: TestStack;

beforeAll(async () => {
  cluster = await startRedisCluster(3, 1);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

const onCluster = (options: TestStackOptions = {}) => fixture.start({ ...options, redis: cluster.nodes, localQueueSize: 0 });

async function startRuns(workflow: string, count: number): Promise<string[]> {
  const started = await Promise.all(Array.from({ length: count }, () => stack.engine.startRun({ workflow })));
  return started.map((s) => s.run.id);
}

async function waitForAll(ids: readonly string[], timeoutMs: number): Promise<RunWithNodes[]> {
  return Promise.all(ids.map((id) => stack.waitForEnd(id, timeoutMs)));
}

describe('on a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  it('a `flowline worker` process given REDIS_CLUSTER_NODES serves the runs', async () => {
    stack = await onCluster({ workers: 0 });
    await stack.define({ name: 'Served', nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', dependsOn: ['a'] }] });
    const worker = spawnFlowline('worker', {
      DATABASE_URL: fixture.database().url,
      REDIS_CLUSTER_NODES: cluster.env,
      REDIS_URL: 'redis://127.0.0.1:1',
      FLOWLINE_QUEUE_PREFIX: stack.prefix,
    });
    try {
      await worker.ready;
      const done = await waitForAll(await startRuns('Served', 10), 20_000);
      expect(done.map((r) => r.statusName)).toEqual(Array(10).fill('SUCCESS'));
    } finally {
      await worker.kill('SIGTERM');
    }
  }, 60_000);

  it('keeps every key of an installation in the slot of its hash tag, on one master', async () => {
    stack = await onCluster();
    await stack.define({ name: 'Nap', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 2_000 } }] });
    await startRuns('Nap', 3);
    const master = await cluster.masterOf(bullPrefix(stack.prefix));
    const node = connectRedis(`redis://${master.host}:${master.port}`);
    try {
      const keys = await node.keys(`${bullPrefix(stack.prefix)}*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(await node.cluster('KEYSLOT', key)).toBe(await node.cluster('KEYSLOT', bullPrefix(stack.prefix)));
    } finally {
      node.disconnect();
    }
  });

  it('runs a chain, a fan-out and a join to SUCCESS', async () => {
    stack = await onCluster({ workers: 2 });
    await stack.define({
      name: 'FanOut',
      nodes: [
        { name: 'root', type: 'noop' },
        ...['a', 'b', 'c'].map((n) => ({ name: n, type: 'sleep', dependsOn: ['root'], params: { ms: 20 } })),
        { name: 'join', type: 'noop', dependsOn: ['a', 'b', 'c'] },
        { name: 'after', type: 'noop', dependsOn: ['join'] },
      ],
    });
    const done = await waitForAll(await startRuns('FanOut', 20), 20_000);
    expect(done.map((r) => r.statusName)).toEqual(Array(20).fill('SUCCESS'));
    const join = node(done[0]!, 'join');
    for (const branch of ['a', 'b', 'c']) expect(join.startedAt!.getTime()).toBeGreaterThanOrEqual(node(done[0]!, branch).endedAt!.getTime());
  });

  it('retries a failing node with its backoff (a delayed job), then succeeds', async () => {
    stack = await onCluster();
    await stack.define({ name: 'Flaky', nodes: [{ name: 'flaky', type: 'fail', retries: 3, backoffMs: 50, params: { failAttempts: 2 } }] });
    const [id] = await startRuns('Flaky', 1);
    const done = await stack.waitForEnd(id!);
    expect(summary(done)).toEqual({ run: 'SUCCESS', flaky: 'SUCCESS' });
    expect(node(done, 'flaky').attempt).toBe(3);
  });

  it('cancels a running node through cluster pub/sub', async () => {
    stack = await onCluster();
    await stack.define({
      name: 'Sleepy',
      nodes: [
        { name: 'nap', type: 'sleep', params: { ms: 30_000 } },
        { name: 'after', type: 'noop', dependsOn: ['nap'] },
      ],
    });
    const [id] = await startRuns('Sleepy', 1);
    await stack.waitFor(id!, (r) => node(r, 'nap').statusName === 'RUNNING');
    const asked = Date.now();
    await stack.engine.cancelRun(id!);
    expect(summary(await stack.waitForEnd(id!))).toEqual({ run: 'CANCEL', nap: 'CANCEL', after: 'CANCEL' });
    expect(Date.now() - asked).toBeLessThan(5_000);
  });

  it('finishes every run after the installation\'s keys are deleted mid-flight', async () => {
    stack = await onCluster({ workers: 0 });
    await stack.define({ name: 'Lost', nodes: [{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', dependsOn: ['a'] }] });
    const ids = await startRuns('Lost', 30);
    expect(await deleteInstallationKeys(stack.redis, stack.prefix)).toBeGreaterThan(0);
    const reconciler = new Reconciler(stack.engine, { intervalMs: 100, leaseMs: 1_000, maxLostAttempts: 3 });
    reconciler.start();
    try {
      await stack.addWorker();
      const done = await waitForAll(ids, 20_000);
      expect(done.map((r) => r.statusName)).toEqual(Array(30).fill('SUCCESS'));
    } finally {
      await reconciler.stop();
    }
  });

  it('loses no run when the master of the installation\'s slot is killed and its replica takes over', async () => {
    stack = await onCluster({ workers: 2, leaseMs: 2_000 });
    await stack.define({
      name: 'Steps',
      nodes: [
        { name: 'a', type: 'sleep', params: { ms: 50 } },
        { name: 'b', type: 'sleep', dependsOn: ['a'], params: { ms: 50 } },
        { name: 'c', type: 'sleep', dependsOn: ['b'], params: { ms: 50 } },
      ],
    });
    const reconciler = new Reconciler(stack.engine, { intervalMs: 200, leaseMs: 2_000, maxLostAttempts: 3 });
    reconciler.start();
    try {
      const ids = await startRuns('Steps', 60);
      const master = await cluster.masterOf(bullPrefix(stack.prefix));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const inFlight = (await Promise.all(ids.map((id) => stack.engine.getRun(id)))).filter((r) => r.statusName !== 'SUCCESS');
      await cluster.kill(master.port);
      expect(inFlight.length).toBeGreaterThan(0);
      expect(await cluster.masterOf(bullPrefix(stack.prefix))).not.toEqual(master);
      const more = await startRuns('Steps', 20);
      const done = await waitForAll([...ids, ...more], 45_000);
      expect(done.map((r) => r.statusName)).toEqual(Array(80).fill('SUCCESS'));
    } finally {
      await reconciler.stop();
    }
  }, 90_000);
});
