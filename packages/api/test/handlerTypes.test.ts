import { Engine, HandlerRegistry, connectRedis, defineWorkflow } from '@flowline/engine';
import { TEST_REDIS_URL } from '@flowline/engine/testing';
import { NodeWorker } from '@flowline/worker';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startApiFixture, type ApiFixture } from './apiFixture.ts';

/**
 * A custom worker beside an API process that never loaded its module: the
 * worker registers its handler types in Postgres, the API lists them, lets
 * JSON definitions name them, and refuses a start whose input fails the
 * workflow's schema — all from what Postgres holds.
 */
const Backup = defineWorkflow({ name: 'Backup', description: 'backs up a cluster', input: z.object({ cluster: z.string().min(1) }) })
  .node('snapshot', { description: 'takes a snapshot of the cluster' }, async (ctx) => {
    ctx.log(`snapshot of ${ctx.input.cluster}`);
    return { path: `/backups/${ctx.input.cluster}.tar` };
  })
  .node('report', { dependsOn: ['snapshot'] }, async (ctx) => {
    ctx.log(`backed up to ${ctx.parents.snapshot.path}`);
    return { done: ctx.parents.snapshot.path };
  });

let api: ApiFixture;
let worker: NodeWorker;
let workerStopped = false;
let workerEngine: Engine;
const connections: Redis[] = [];
const redis = () => {
  const connection = connectRedis(TEST_REDIS_URL);
  connections.push(connection);
  return connection;
};

beforeAll(async () => {
  api = await startApiFixture();
  // The custom worker's own process: its own engine and handlers, the API's database, Redis and queue.
  workerEngine = new Engine({ ...api.engineOptions, redis: redis(), registry: new HandlerRegistry() });
  await workerEngine.registerWorkflow(Backup);
  worker = new NodeWorker(workerEngine, { concurrency: 5, connection: redis(), subscriber: redis(), drainMs: 1000 });
  await worker.start();
});
afterAll(async () => {
  if (!workerStopped) await worker.close();
  await workerEngine.close();
  for (const connection of connections) connection.disconnect();
  await api.close();
});

const runsOf = async (workflow: string) =>
  Number((await api.engineOptions.db.pool.query('SELECT count(*) FROM workflow_runs WHERE workflow_name = $1', [workflow])).rows[0].count);

describe('GET /v1/handlers', () => {
  it('lists the built-ins and the custom worker’s handler types, with their input schema and the worker serving them', async () => {
    const response = await api.call(api.adminToken, { method: 'GET', url: '/v1/handlers' });
    expect(response.statusCode).toBe(200);
    const items = response.json().items as { name: string; builtin: boolean; description: string; inputSchema: unknown; workers: { pid: number }[] }[];
    expect(items.filter((h) => h.builtin).map((h) => h.name)).toEqual(['fail', 'http', 'noop', 'sleep']);
    const snapshot = items.find((h) => h.name === 'Backup.snapshot')!;
    expect(snapshot).toMatchObject({ builtin: false, description: 'takes a snapshot of the cluster', inputSchema: { required: ['cluster'] } });
    expect(snapshot.workers).toEqual([expect.objectContaining({ pid: process.pid })]);
  });

  it('is a reader’s to see', async () => {
    expect((await api.call(undefined, { method: 'GET', url: '/v1/handlers' })).statusCode).toBe(401);
    expect((await api.call(await api.token('reader'), { method: 'GET', url: '/v1/handlers' })).statusCode).toBe(200);
  });
});

describe('a start with an input that fails the workflow’s schema', () => {
  it('is refused with 400 naming the field, and leaves no run row', async () => {
    const response = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Backup', input: { cluster: 7 } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'input.cluster: must be string', details: { field: 'input.cluster' } });
    const missing = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Backup' } });
    expect(missing.json().error.message).toBe('input.cluster: is required');
    expect(await runsOf('Backup')).toBe(0);
  });

  it('is refused by each dialect with its own 4xx', async () => {
    const { id } = (await api.call(api.adminToken, { method: 'GET', url: '/v1/definitions/Backup' })).json();
    const explorer = await api.call(undefined, {
      method: 'POST',
      url: `/api-open/v1/workflows/${id}/jobs`,
      headers: { cookie: await explorerSession(api) },
      payload: { input: { cluster: '' } },
    });
    expect(explorer.statusCode).toBe(400);
    expect(explorer.json()).toMatchObject({ code: 40004001, message: 'input.cluster: must NOT have fewer than 1 characters' });
    expect(await runsOf('Backup')).toBe(0);
  });

  it('runs to SUCCESS on the custom worker once the input fits, its handlers’ outputs stored', async () => {
    const started = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'Backup', input: { cluster: 'c1' } } });
    expect(started.statusCode).toBe(201);
    const run = await api.waitForEnd(started.json().id);
    expect(run.statusName).toBe('SUCCESS');
    expect(run.nodes.find((n) => n.name === 'report')).toMatchObject({ output: { done: '/backups/c1.tar' }, result: 'backed up to /backups/c1.tar \nCompleted.\n' });
  });
});

describe('a JSON definition naming a registered handler type', () => {
  const spec = {
    name: 'NightlyBackup',
    nodes: [
      { name: 'snapshot', type: 'Backup.snapshot' },
      { name: 'report', type: 'code', handler: 'Backup.report', dependsOn: ['snapshot'] },
    ],
  };

  it('is accepted, and takes the handler types’ input schema', async () => {
    const response = await api.call(api.adminToken, { method: 'POST', url: '/v1/definitions', payload: spec });
    expect(response.statusCode).toBe(201);
    expect(response.json().input).toMatchObject({ required: ['cluster'] });
    const refused = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'NightlyBackup', input: {} } });
    expect(refused.json().error.message).toBe('input.cluster: is required');
  });

  it('runs on the worker that registered the type', async () => {
    const started = await api.call(api.adminToken, { method: 'POST', url: '/v1/runs', payload: { workflow: 'NightlyBackup', input: { cluster: 'c2' } } });
    const run = await api.waitForEnd(started.json().id);
    expect(run.statusName).toBe('SUCCESS');
    expect(run.nodes.find((n) => n.name === 'report')!.output).toEqual({ done: '/backups/c2.tar' });
  });

  it('is refused when the type is one no worker registered', async () => {
    const response = await api.call(api.adminToken, {
      method: 'POST',
      url: '/v1/definitions',
      payload: { name: 'Ghostly', nodes: [{ name: 'a', type: 'Ghost.a' }, { name: 'b', type: 'code', handler: 'Ghost.b' }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'DAG_INVALID', details: { node: 'a' } });
  });
});

describe('reads of the fleet', () => {
  it('asked while one is in flight share it; one asked after it settles reads again', async () => {
    const first = api.engine.listHandlerTypes();
    expect(api.engine.listHandlerTypes()).toBe(first);
    const read = await first;
    expect(read.find((h) => h.name === 'Backup.snapshot')!.workers).toHaveLength(1);
    expect(api.engine.listHandlerTypes()).not.toBe(first);
  });
});

describe('a worker that stops', () => {
  it('is no longer listed as serving its handler types, which stay registered for definitions to name', async () => {
    await worker.close();
    workerStopped = true;
    const items = (await api.call(api.adminToken, { method: 'GET', url: '/v1/handlers' })).json().items as { name: string; workers: unknown[] }[];
    expect(items.find((h) => h.name === 'Backup.snapshot')!.workers).toEqual([]);
    expect(items.find((h) => h.name === 'noop')!.workers).toEqual([]);
  });
});

/** An Explorer session cookie (`explorer_token=…`) of an operator. */
async function explorerSession(fixture: ApiFixture): Promise<string> {
  const issued = await fixture.authority.issue({ kind: 'explorer', role: 'operator', orgId: 'default', accessKey: 'backup_operator' });
  const response = await fixture.call(undefined, {
    method: 'POST',
    url: '/api-open/v1/connect',
    headers: { authorization: `Bearer ${Buffer.from(JSON.stringify(['backup_operator', issued.secret])).toString('base64')}` },
    payload: { address: '127.0.0.1', port: 9669 },
  });
  return String(response.headers['set-cookie']).split(';')[0]!;
}
