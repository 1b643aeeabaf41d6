import { Engine, OperationsLoops, connectRedis, type BulkOperationRecord, type Status } from '@flowline/engine';
import { TEST_REDIS_URL, workOnce } from '@flowline/engine/testing';
import { NodeWorker } from '@flowline/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * Bulk operations: many runs cancelled, rerun or resumed by one call, by ids
 * or by a filter, worked off in batches by the workers' bulk loops, with
 * progress readable while they work and resumable by another process.
 */

const ORG = 'bulk-org';
let api: ApiFixture;
let operator: string;
let worker: NodeWorker;
let loops: OperationsLoops;
const connections: ReturnType<typeof connectRedis>[] = [];

beforeAll(async () => {
  api = await startApiFixture();
  operator = await api.token('operator', { orgId: ORG });
  const admin = await api.token('admin', { orgId: ORG });
  for (const [name, nodes] of [
    ['Hold', [{ name: 'hold', type: 'sleep', params: { ms: 120_000 } }]],
    ['Broken', [{ name: 'boom', type: 'fail', params: { message: 'boom', failAttempts: 1 } }]],
  ] as const) {
    expect((await api.call(admin, { method: 'POST', url: '/v1/definitions', payload: { name, nodes } })).statusCode).toBe(201);
  }
  const redis = () => {
    const c = connectRedis(TEST_REDIS_URL);
    connections.push(c);
    return c;
  };
  // Room for a thousand sleeping handlers at once: every run really RUNNING.
  worker = new NodeWorker(api.engine, { concurrency: 1100, connection: redis(), subscriber: redis(), drainMs: 1000 });
  await worker.start();
  loops = new OperationsLoops(api.engine, { loops: ['bulk'], pollMs: 50 });
  loops.start();
});
afterAll(async () => {
  await loops.stop();
  await worker.close();
  for (const c of connections) c.disconnect();
  await api.close();
});

const operation = async (id: string) => (await api.call(operator, { method: 'GET', url: `/v1/bulk-operations/${id}` })).json() as BulkOperationRecord;

async function startRuns(workflow: string, count: number, bizType = 'bulk'): Promise<string[]> {
  const started = await Promise.all(Array.from({ length: count }, () => api.engine.startRun({ workflow, orgId: ORG, bizType })));
  return started.map((s) => s.run.id);
}

async function waitForCount(filter: { workflow: string; statuses: Status[]; bizType?: string }, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await api.engine.countRuns({ orgId: ORG, ...filter });
    if (n === count) return;
    if (Date.now() > deadline) throw new Error(`${n} runs of ${filter.workflow} in ${filter.statuses.join(',')}, not ${count}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('POST /v1/runs:cancel by a filter', () => {
  it('cancels 1,000 running runs in batches, its progress readable while it works', async () => {
    await startRuns('Hold', 1000);
    await waitForCount({ workflow: 'Hold', statuses: [2] }, 1000);

    const asked = Date.now();
    const response = await api.call(operator, { method: 'POST', url: '/v1/runs:cancel', payload: { filter: { workflow: 'Hold', status: 'RUNNING' } } });
    expect(response.statusCode).toBe(202);
    const { id, total, status } = response.json() as BulkOperationRecord;
    expect({ total, status }).toEqual({ total: 1000, status: 'RUNNING' });

    const seen: number[] = [];
    let done: BulkOperationRecord;
    for (;;) {
      done = await operation(id);
      seen.push(done.processed);
      if (done.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (Date.now() - asked) / 1000;
    expect(done).toMatchObject({ status: 'DONE', total: 1000, processed: 1000, succeeded: 1000, skipped: 0, failed: 0, finishedAt: expect.any(String) });
    expect(seen.some((p) => p > 0 && p < 1000), `progress seen: ${seen.join(',')}`).toBe(true);
    await waitForCount({ workflow: 'Hold', statuses: [8] }, 1000);
    console.log(`bulk cancel of 1,000 running runs: ${seconds.toFixed(2)} s to DONE`);
  }, 90_000);

  it('touches no run started after it was asked, and refuses a filter of nothing', async () => {
    const before = await startRuns('Broken', 3, 'late');
    await waitForCount({ workflow: 'Broken', statuses: [-1] }, 3);
    await loops.stop();
    const response = await api.call(operator, { method: 'POST', url: '/v1/runs:rerun', payload: { filter: { workflow: 'Broken', bizType: 'late' } } });
    const later = await startRuns('Broken', 2, 'late');
    loops.start();
    const { id } = response.json() as BulkOperationRecord;
    await expect.poll(async () => (await operation(id)).status).toBe('DONE');
    expect(await operation(id)).toMatchObject({ total: 3, succeeded: 3 });
    for (const runId of later) expect((await api.engine.getRun(runId, ORG)).nodes[0]!.attempt).toBe(1);
    for (const runId of before) expect((await api.engine.getRun(runId, ORG)).nodes[0]!.attempt).toBeGreaterThan(1);

    const empty = await api.call(operator, { method: 'POST', url: '/v1/runs:cancel', payload: { filter: {} } });
    expect(empty.statusCode).toBe(400);
    const both = await api.call(operator, { method: 'POST', url: '/v1/runs:cancel', payload: { ids: [before[0]], filter: { workflow: 'Broken' } } });
    expect(both.statusCode).toBe(400);
  });
});

describe('POST /v1/runs:resume and :rerun by ids', () => {
  it('applies to the runs it can and counts the rest as skipped; more than 1,000 ids is refused', async () => {
    const [a, b] = await startRuns('Hold', 2);
    await api.call(operator, { method: 'POST', url: `/v1/runs/${a}/suspend` });
    const response = await api.call(operator, { method: 'POST', url: '/v1/runs:resume', payload: { ids: [a, b, 'AAAAAAAAAAAAAAAAAAAAAA'] } });
    const { id } = response.json() as BulkOperationRecord;
    await expect.poll(async () => (await operation(id)).status).toBe('DONE');
    expect(await operation(id)).toMatchObject({ total: 3, processed: 3, succeeded: 1, skipped: 2, failed: 0 });

    const tooMany = await api.call(operator, { method: 'POST', url: '/v1/runs:rerun', payload: { ids: Array.from({ length: 1001 }, () => a) } });
    expect(tooMany.statusCode).toBe(400);
    expect((await api.call(operator, { method: 'POST', url: '/v1/runs:rerun', payload: { ids: ['not an id'] } })).statusCode).toBe(400);
    const cleanup = (await api.call(operator, { method: 'POST', url: '/v1/runs:cancel', payload: { ids: [a, b] } })).json() as BulkOperationRecord;
    await expect.poll(async () => (await operation(cleanup.id)).status).toBe('DONE');
  });

  it('a reader may read an operation but not ask for one; another org sees none of it', async () => {
    const reader = await api.token('reader', { orgId: ORG });
    expect((await api.call(reader, { method: 'POST', url: '/v1/runs:cancel', payload: { filter: { workflow: 'Hold' } } })).statusCode).toBe(403);
    const [latest] = (await api.call(reader, { method: 'GET', url: '/v1/bulk-operations' })).json().items as BulkOperationRecord[];
    expect(latest).toBeDefined();
    const stranger = await api.token('operator', { orgId: 'elsewhere' });
    expect((await api.call(stranger, { method: 'GET', url: `/v1/bulk-operations/${latest!.id}` })).statusCode).toBe(404);
    expect((await api.call(stranger, { method: 'GET', url: '/v1/bulk-operations' })).json().items).toEqual([]);
  });
});

describe('resuming after a process is gone', () => {
  it('another process carries on from the last batch committed; a stop keeps what was done', async () => {
    await loops.stop();
    // 250 failures decided at once under their run locks by a process that has not cached their definition:
    // each reads it through the connection it holds, not by waiting on the pool for one more.
    const ids = await startRuns('Broken', 250, 'resumable');
    await waitForCount({ workflow: 'Broken', statuses: [-1], bizType: 'resumable' }, 250);
    const { id } = (await api.call(operator, { method: 'POST', url: '/v1/runs:rerun', payload: { ids } })).json() as BulkOperationRecord;

    // one process works a batch, then is gone
    const first = new Engine({ ...api.engineOptions, redis: connectRedis(TEST_REDIS_URL) });
    expect(await workOnce.bulkBatch(first)).toBe(true);
    await first.close();
    first.metrics.registry.clear();
    expect(await operation(id)).toMatchObject({ status: 'RUNNING', processed: 100 });

    // another carries on to the end
    loops.start();
    await expect.poll(async () => (await operation(id)).status, { timeout: 20_000 }).toBe('DONE');
    expect(await operation(id)).toMatchObject({ processed: 250, succeeded: 250 });

    expect((await api.call(operator, { method: 'POST', url: `/v1/bulk-operations/${id}/cancel` })).statusCode).toBe(409);

    await loops.stop();
    const holds = await startRuns('Hold', 150, 'stoppable');
    const { id: cancelling } = (await api.call(operator, { method: 'POST', url: '/v1/runs:cancel', payload: { ids: holds } })).json() as BulkOperationRecord;
    expect(await workOnce.bulkBatch(api.engine)).toBe(true);
    const halted = (await api.call(operator, { method: 'POST', url: `/v1/bulk-operations/${cancelling}/cancel` })).json() as BulkOperationRecord;
    expect(halted).toMatchObject({ status: 'CANCELLED', processed: 100, succeeded: 100 });
    loops.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(await operation(cancelling)).toMatchObject({ status: 'CANCELLED', processed: 100 });
  });
});
