import { BackupCluster, Engine, connectRedis, defineWorkflow, type RunWithNodes, type WorkflowDefinition } from '@flowline/engine';
import { TEST_REDIS_URL, freshDatabase, freshQueuePrefix, type TestDatabase } from '@flowline/engine/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeWorker } from '../src/nodeWorker.ts';

/**
 * Routing: a node only ever reaches a worker that has its handler. Each
 * worker here has an engine of its own, as separate processes would, and
 * serves only what its engine registered; runs are started by an engine with
 * no worker, as an API process does.
 */
let database: TestDatabase;
let prefix: string;
const connections: Redis[] = [];
const cleaner = connectRedis(TEST_REDIS_URL);
const closers: (() => Promise<void>)[] = [];

const redis = () => {
  const connection = connectRedis(TEST_REDIS_URL);
  connections.push(connection);
  return connection;
};

/** An engine of its own, with `workflows` registered, and a worker on it when `work` is set. */
async function process(workflows: readonly WorkflowDefinition[], work: boolean): Promise<Engine> {
  const engine = new Engine({ db: database.db, redis: redis(), queuePrefix: prefix });
  for (const workflow of workflows) await engine.registerWorkflow(workflow);
  const worker = work ? new NodeWorker(engine, { concurrency: 20, connection: redis(), subscriber: redis(), drainMs: 500 }) : undefined;
  await worker?.start();
  closers.push(async () => {
    await worker?.close();
    await engine.close();
  });
  return engine;
}

async function waitForEnd(engine: Engine, ids: readonly string[], timeoutMs = 30_000): Promise<RunWithNodes[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await Promise.all(ids.map((id) => engine.getRun(id)));
    if (runs.every((r) => ['SUCCESS', 'FAIL', 'INTERNAL_ERROR', 'CANCEL', 'TIMEOUT'].includes(r.statusName)) || Date.now() > deadline) return runs;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeEach(async () => {
  database = await freshDatabase();
  prefix = freshQueuePrefix();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  const keys = await cleaner.keys(`{${prefix}}*`);
  if (keys.length) await cleaner.del(...keys);
  for (const connection of connections.splice(0)) connection.disconnect();
  await database.drop();
});

afterAll(() => cleaner.disconnect());

describe('routing nodes to the workers that serve them', () => {
  it('a stock worker and a custom worker: 100 runs of each kind all succeed at their first attempt, each node on a worker that has it', async () => {
    const ranOnCustom: string[] = [];
    const Custom = defineWorkflow({
      name: 'CustomRouted',
      nodes: [
        { name: 'extract', run: async (ctx) => (ranOnCustom.push(ctx.node), { rows: 3 }) },
        { name: 'pause', type: 'noop', dependsOn: ['extract'] },
        { name: 'load', dependsOn: ['pause'], run: async (ctx) => (ranOnCustom.push(ctx.node), null) },
      ],
    });
    await process([BackupCluster], true); // the stock worker: the demo flows and the built-ins
    await process([Custom], true); // the custom worker: its own workflow and the built-ins
    const api = await process([], false);
    const started = await Promise.all([
      ...Array.from({ length: 100 }, () => api.startRun({ workflow: 'CustomRouted' })),
      ...Array.from({ length: 100 }, (_, i) => api.startRun({ workflow: 'BackupCluster', bizId: `cluster-${i}` })),
    ]);
    const runs = await waitForEnd(api, started.map((s) => s.run.id));
    expect(runs.filter((r) => r.statusName !== 'SUCCESS').map((r) => `${r.workflow} ${r.statusName}`)).toEqual([]);
    // A node that reached a worker without its handler would have failed 'no handler' and been tried again.
    expect(runs.flatMap((r) => r.nodes).filter((n) => n.attempt !== 1 || n.error !== null)).toEqual([]);
    expect(ranOnCustom.length).toBe(200);
  }, 60_000);

  it('a node whose handler no live worker serves waits READY, and runs once a worker that serves it starts', async () => {
    const Lonely = defineWorkflow({ name: 'LonelyHandler', nodes: [{ name: 'work', run: async () => ({ done: true }) }] });
    await process([BackupCluster], true); // a worker that does not serve it
    const api = await process([Lonely], false); // knows the workflow, runs nothing
    const { run } = await api.startRun({ workflow: 'LonelyHandler' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const waiting = await api.getRun(run.id);
    expect(waiting.nodes.map((n) => [n.statusName, n.attempt])).toEqual([['READY', 1]]);
    await process([Lonely], true);
    const [done] = await waitForEnd(api, [run.id]);
    expect(done!.statusName).toBe('SUCCESS');
    expect(done!.nodes[0]!.output).toEqual({ done: true });
  }, 30_000);
});
