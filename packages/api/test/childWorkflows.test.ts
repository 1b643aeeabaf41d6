import { connectRedis, defineWorkflow } from '@flowline/engine';
import { TEST_REDIS_URL } from '@flowline/engine/testing';
import { NodeWorker } from '@flowline/worker';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;
let operator: string;
let worker: NodeWorker;
const connections: Redis[] = [];

beforeAll(async () => {
  api = await startApiFixture();
  operator = await api.token('operator');
  const redis = () => {
    const c = connectRedis(TEST_REDIS_URL);
    connections.push(c);
    return c;
  };
  // One slot: a parent node that held it while its child ran would leave the child no worker.
  worker = new NodeWorker(api.engine, { concurrency: 1, connection: redis(), subscriber: redis(), drainMs: 1000 });
  await worker.start();
  await api.engine.applyDefinition({
    name: 'Backup',
    input: { type: 'object', properties: { cluster: { type: 'string' } }, required: ['cluster'] },
    nodes: [
      { name: 'snapshot', type: 'sleep', params: { ms: 50 } },
      { name: 'verify', type: 'noop', dependsOn: ['snapshot'] },
    ],
  });
  await api.engine.applyDefinition({ name: 'Broken', nodes: [{ name: 'explode', type: 'fail', params: { message: 'disk full' } }] });
  await api.engine.applyDefinition({ name: 'Long', nodes: [{ name: 'nap', type: 'sleep', params: { ms: 30_000 } }] });
  const parent = (name: string, workflow: string) => ({
    name,
    nodes: [
      { name: 'prepare', type: 'noop' },
      { name: 'child', type: 'workflow', params: { workflow, input: { cluster: 'c1' } }, dependsOn: ['prepare'] },
      { name: 'report', type: 'noop', dependsOn: ['child'] },
    ],
  });
  await api.engine.registerWorkflow(
    defineWorkflow({
      name: 'Fleet',
      nodes: [
        // The handler hands its wait to a child run and returns at once: its slot is free for the child's nodes.
        { name: 'backupOne', run: async (ctx) => ctx.startChild('Backup', { cluster: ctx.bizId }) },
        { name: 'done', dependsOn: ['backupOne'], run: async (ctx) => ({ fromChild: ctx.parents.backupOne }) },
      ],
    }),
  );
  await api.engine.applyDefinition(parent('Nightly', 'Backup'));
  await api.engine.applyDefinition(parent('NightlyBroken', 'Broken'));
  await api.engine.applyDefinition(parent('NightlyLong', 'Long'));
});
afterAll(async () => {
  await worker.close();
  for (const c of connections) c.disconnect();
  await api.close();
});

async function start(workflow: string): Promise<string> {
  const started = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow } });
  expect(started.statusCode).toBe(201);
  return started.json().id as string;
}

const view = async (id: string) => (await api.call(operator, { method: 'GET', url: `/v1/runs/${id}` })).json();

describe('workflow nodes (child runs)', () => {
  it('a worker with one slot runs parent and child to SUCCESS: the parent node waits without it', async () => {
    const id = await start('Nightly');
    const run = await api.waitForEnd(id);
    expect(run.statusName).toBe('SUCCESS');
    const parent = await view(id);
    expect(parent.children).toHaveLength(1);
    const childId = parent.children[0].runId as string;
    expect(parent.children[0]).toMatchObject({ node: 'child', attempt: 1 });
    const child = await view(childId);
    expect(child).toMatchObject({ workflow: 'Backup', status: 'SUCCESS', parentRunId: id, parentNode: 'child', input: { cluster: 'c1' } });
    const node = parent.nodes.find((n: { name: string }) => n.name === 'child');
    expect(node).toMatchObject({ status: 'SUCCESS', result: `child run ${childId} ended SUCCESS` });
    // The child's last node's output is the node's.
    expect(node.output).toEqual(child.nodes.find((n: { name: string }) => n.name === 'verify').output);
  });

  it("a child's failure fails the parent node with the child's error, and the parent run", async () => {
    const id = await start('NightlyBroken');
    const run = await api.waitForEnd(id);
    expect(run.statusName).toBe('FAIL');
    const node = run.nodes.find((n) => n.name === 'child')!;
    expect(node.statusName).toBe('FAIL');
    expect(node.error).toMatch(/^child run \S{22} ended FAIL: .*disk full/);
    expect(run.nodes.find((n) => n.name === 'report')!.statusName).toBe('CANCEL');
  });

  it('a code handler returning ctx.startChild() waits for the child without its slot and takes its output', async () => {
    const started = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Fleet', bizId: 'c9' } });
    const id = started.json().id as string;
    const run = await api.waitForEnd(id);
    expect(run.statusName).toBe('SUCCESS');
    const parent = await view(id);
    expect(parent.children).toEqual([{ runId: expect.any(String), node: 'backupOne', attempt: 1 }]);
    const child = await view(parent.children[0].runId);
    expect(child).toMatchObject({ workflow: 'Backup', status: 'SUCCESS', input: { cluster: 'c9' }, parentRunId: id });
    expect(run.nodes.find((n) => n.name === 'backupOne')!.result).toMatch(/^child run \S{22} ended SUCCESS$/);
    const verify = child.nodes.find((n: { name: string }) => n.name === 'verify').output;
    expect(run.nodes.find((n) => n.name === 'done')!.output).toEqual({ fromChild: verify });
  });

  it('cancelling the parent cancels its child', async () => {
    const id = await start('NightlyLong');
    await expect.poll(async () => (await view(id)).children.length, { timeout: 10_000 }).toBe(1);
    const childId = (await view(id)).children[0].runId as string;
    await expect.poll(async () => (await view(childId)).status, { timeout: 10_000 }).toBe('RUNNING');
    expect((await api.call(operator, { method: 'POST', url: `/v1/runs/${id}/cancel` })).statusCode).toBe(200);
    expect((await api.waitForEnd(childId, 10_000)).statusName).toBe('CANCEL');
    const parent = await api.waitForEnd(id, 10_000);
    expect(parent.statusName).toBe('CANCEL');
    expect(parent.nodes.find((n) => n.name === 'child')!.statusName).toBe('CANCEL');
  });

  it('a child of a workflow that does not exist fails the node, naming it', async () => {
    await api.engine.applyDefinition({ name: 'Orphan', nodes: [{ name: 'child', type: 'workflow', params: { workflow: 'Nowhere' } }] });
    const run = await api.waitForEnd(await start('Orphan'));
    expect(run.statusName).toBe('FAIL');
    expect(run.nodes[0]!.error).toMatch(/^child run of Nowhere not started: .*Nowhere/);
  });
});
