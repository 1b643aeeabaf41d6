import { Reconciler, toRunUuid } from '@flowline/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

let api: ApiFixture;
let operator: string;
let reconciler: Reconciler;

interface NodeView {
  name: string;
  status: string;
  output: unknown;
  error: string | null;
  waitingFor: string | null;
}

beforeAll(async () => {
  api = await startApiFixture({ worker: true });
  operator = await api.token('operator');
  // Timeouts of parked nodes are the reconciler's, as any RUNNING node's: a short lease makes its grace short.
  reconciler = new Reconciler(api.engine, { intervalMs: 100, leaseMs: 300 });
  reconciler.start();
  await api.engine.applyDefinition({
    name: 'Gate',
    nodes: [
      { name: 'prepare', type: 'sleep', params: { ms: 300 } },
      { name: 'gate', type: 'wait', params: { signal: 'go' }, dependsOn: ['prepare'] },
      { name: 'deploy', type: 'noop', dependsOn: ['gate'] },
    ],
  });
  await api.engine.applyDefinition({
    name: 'Release',
    nodes: [
      { name: 'build', type: 'noop' },
      { name: 'signOff', type: 'approval', dependsOn: ['build'] },
      { name: 'ship', type: 'noop', dependsOn: ['signOff'] },
    ],
  });
  await api.engine.applyDefinition({ name: 'Patience', nodes: [{ name: 'gate', type: 'wait', timeoutMs: 200 }] });
});
afterAll(async () => {
  await reconciler.stop();
  await api.close();
});

async function start(workflow: string): Promise<string> {
  const started = await api.call(operator, { method: 'POST', url: '/v1/runs', payload: { workflow } });
  expect(started.statusCode).toBe(201);
  return started.json().id as string;
}

async function nodeOf(id: string, name: string): Promise<NodeView> {
  return ((await api.call(operator, { method: 'GET', url: `/v1/runs/${id}` })).json().nodes as NodeView[]).find((n) => n.name === name)!;
}

/** Polls until the node waits in RUNNING (parked, no worker). */
async function untilWaiting(id: string, name: string): Promise<NodeView> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const node = await nodeOf(id, name);
    if (node.status === 'RUNNING') return node;
    if (Date.now() > deadline) throw new Error(`node ${name} still ${node.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const signal = (id: string, name: string, payload: unknown, token = operator) =>
  api.call(token, { method: 'POST', url: `/v1/runs/${id}/signals/${name}`, payload: payload as object });

describe('wait nodes', () => {
  it('a signal sent while its node waits completes the node with the payload as its output', async () => {
    const id = await start('Gate');
    expect((await untilWaiting(id, 'gate')).waitingFor).toBe('signal go');
    const sent = await signal(id, 'go', { version: '1.2.3' });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toMatchObject({ deliveredTo: 'gate' });
    const run = await api.waitForEnd(id);
    expect(run.statusName).toBe('SUCCESS');
    expect(run.nodes.find((n) => n.name === 'gate')).toMatchObject({ statusName: 'SUCCESS', output: { version: '1.2.3' } });
  });

  it('a signal sent before its node is reached is kept and taken when the node is reached', async () => {
    const id = await start('Gate');
    const sent = await signal(id, 'go', { early: true });
    expect(sent.json()).toMatchObject({ deliveredTo: null });
    const run = await api.waitForEnd(id);
    expect(run.statusName).toBe('SUCCESS');
    expect(run.nodes.find((n) => n.name === 'gate')!.output).toEqual({ early: true });
  });

  it('a wait node past its timeout ends TIMEOUT and fails the run', async () => {
    const id = await start('Patience');
    const run = await api.waitForEnd(id);
    expect(run.statusName).toBe('TIMEOUT');
    expect(run.nodes[0]).toMatchObject({ statusName: 'TIMEOUT', error: 'timed out after 200 ms' });
  });

  it('cancelling a run cancels its waiting node without waiting for a lease', async () => {
    const id = await start('Gate');
    await untilWaiting(id, 'gate');
    expect((await api.call(operator, { method: 'POST', url: `/v1/runs/${id}/cancel` })).statusCode).toBe(200);
    const run = await api.waitForEnd(id, 2_000);
    expect(run.statusName).toBe('CANCEL');
    expect(run.nodes.find((n) => n.name === 'gate')!.statusName).toBe('CANCEL');
  });

  it('a signal whose hand-over a crash lost (kept, never delivered) is delivered by the reconciler', async () => {
    const id = await start('Gate');
    await untilWaiting(id, 'gate');
    // As a process that died between keeping the signal and handing it over leaves it.
    await api.engineOptions.db.pool.query(`INSERT INTO run_signals (run_id, name, payload, sent_at) VALUES ($1, 'go', '{"late": true}', now())`, [toRunUuid(id)]);
    const run = await api.waitForEnd(id);
    expect(run.statusName).toBe('SUCCESS');
    expect(run.nodes.find((n) => n.name === 'gate')!.output).toEqual({ late: true });
  });

  it('refuses a signal to an ended run (409), to a run of another org (404), and from a reader (403)', async () => {
    const id = await start('Patience');
    expect((await signal(id, 'gate', {}, await api.token('reader'))).statusCode).toBe(403);
    expect((await signal(id, 'gate', {}, await api.token('operator', { orgId: 'elsewhere' }))).statusCode).toBe(404);
    await api.waitForEnd(id);
    const late = await signal(id, 'gate', {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('INVALID_TRANSITION');
  });
});

describe('approval nodes', () => {
  it('approved: the node succeeds with who approved and when, and the run goes on', async () => {
    const id = await start('Release');
    expect((await untilWaiting(id, 'signOff')).waitingFor).toBe("an operator's approval (signal signOff)");
    const approved = await api.call(operator, { method: 'POST', url: `/v1/runs/${id}/nodes/signOff/approve`, payload: { reason: 'looks good' } });
    expect(approved.statusCode).toBe(200);
    const run = await api.waitForEnd(id);
    expect(run.statusName).toBe('SUCCESS');
    const output = run.nodes.find((n) => n.name === 'signOff')!.output as { approved: boolean; by: string; at: string; reason: string };
    expect(output).toMatchObject({ approved: true, reason: 'looks good' });
    expect(output.by).toMatch(/\S/);
    expect(Date.parse(output.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('rejected: the node fails with the approver and the reason, and the run fails', async () => {
    const id = await start('Release');
    await untilWaiting(id, 'signOff');
    const rejected = await api.call(operator, { method: 'POST', url: `/v1/runs/${id}/nodes/signOff/reject`, payload: { reason: 'not on a Friday' } });
    expect(rejected.statusCode).toBe(200);
    const run = await api.waitForEnd(id);
    expect(run.statusName).toBe('FAIL');
    const node = run.nodes.find((n) => n.name === 'signOff')!;
    expect(node.statusName).toBe('FAIL');
    expect(node.error).toMatch(/^rejected by .+ at .+: not on a Friday$/);
    expect(run.nodes.find((n) => n.name === 'ship')!.statusName).toBe('CANCEL');
  });

  it('refuses to approve a node that is not an approval (400), one decided already (409) and a reject without a reason (400)', async () => {
    const id = await start('Release');
    await untilWaiting(id, 'signOff');
    expect((await api.call(operator, { method: 'POST', url: `/v1/runs/${id}/nodes/build/approve` })).statusCode).toBe(400);
    expect((await api.call(operator, { method: 'POST', url: `/v1/runs/${id}/nodes/signOff/reject`, payload: {} })).statusCode).toBe(400);
    const bare = await api.call(operator, { method: 'POST', url: `/v1/runs/${id}/nodes/signOff/approve` });
    expect(bare.statusCode).toBe(200);
    await api.waitForEnd(id);
    expect((await api.call(operator, { method: 'POST', url: `/v1/runs/${id}/nodes/signOff/approve` })).statusCode).toBe(409);
    expect((await api.call(operator, { method: 'POST', url: `/v1/runs/${id}/nodes/ghost/approve` })).statusCode).toBe(404);
  });
});
