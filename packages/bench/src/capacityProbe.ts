import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Engine, connectRedis, defineWorkflow, migrateDatabase, openDatabase } from '@flowline/engine';
import { NodeWorker } from '@flowline/worker';
import pg from 'pg';
import { progress } from './harness/progress.ts';
import { createScratchDatabase } from './harness/scratchDatabase.ts';
import { createScratchRedisPrefix } from './harness/scratchRedis.ts';

/**
 * The numbers behind docs/scaling.md's capacity model, measured in one
 * process on a scratch database and queue prefix:
 *
 * - Redis memory per in-flight node: `used_memory` before and after N runs
 *   are started with no worker, each leaving its root node's job queued.
 * - Postgres statements per run: every statement the process's pg clients
 *   send (pg.Client.prototype.query counted), for the starts and then for a
 *   worker running all N 3-step chains to SUCCESS (batched: claims and
 *   decisions of concurrent runs share statements), then for 100 runs one at
 *   a time (nothing to share).
 * - Runs/s per worker core: N over the worker process's CPU seconds
 *   (process.cpuUsage), Postgres and Redis running beside it on the same cores;
 *   and per Postgres core: N over the CPU seconds of the database's backends
 *   (/proc/<pid>/stat, so Postgres must run on this host).
 * - Connections: the pool's peak, and the database's backends.
 *
 * Run: NODE_OPTIONS=--conditions=@flowline/source npx tsx packages/bench/src/capacityProbe.ts [--runs 5000] [--database-url …] [--redis-url …]
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5000' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
  },
});
const RUNS = Number(values.runs);
const ADMIN_URL = values['database-url'];
const REDIS_URL = values['redis-url'];
const CONCURRENCY = 20;
const SEQUENTIAL_RUNS = 100;

let statements = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

const database = await createScratchDatabase(ADMIN_URL, 'capacity');
const keys = createScratchRedisPrefix(REDIS_URL, 'capacity');
const db = openDatabase(database.url, { max: CONCURRENCY });
const redis = connectRedis(REDIS_URL);
const worker = { connection: connectRedis(REDIS_URL), subscriber: connectRedis(REDIS_URL) };
const engine = new Engine({ db, redis, queuePrefix: keys.prefix });
try {
  await migrateDatabase(db);
  await engine.registerWorkflow(
    defineWorkflow({
      name: 'capacity_chain',
      nodes: [
        { name: 'a', run: async () => null },
        { name: 'b', dependsOn: ['a'], run: async () => null },
        { name: 'c', dependsOn: ['b'], run: async () => null },
      ],
    }),
  );
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

  const memoryBefore = await usedMemory();
  const startStatementsBefore = statements;
  for (let i = 0; i < RUNS; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, RUNS - i) }, () => ({ workflow: 'capacity_chain' }));
    await engine.startRuns(batch);
  }
  const startStatements = statements - startStatementsBefore;
  const memoryQueued = await usedMemory();
  progress(`${RUNS} runs started, root nodes queued: Redis +${memoryQueued - memoryBefore} bytes, ${startStatements} statements`);

  const cpuBefore = process.cpuUsage();
  const runStatementsBefore = statements;
  const started = performance.now();
  const nodeWorker = new NodeWorker(engine, { concurrency: CONCURRENCY, ...worker, drainMs: 1000 });
  await nodeWorker.start();
  const watcher = new pg.Client({ connectionString: database.url });
  await watcher.connect();
  let peakBackends = 0;
  let peakPool = 0;
  let watcherStatements = 0;
  for (;;) {
    const state = await watcher.query<{ open: number; backends: number }>(
      `SELECT (SELECT count(*)::int FROM workflow_runs WHERE status <> 1) AS open,
              (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database()) AS backends`,
    );
    watcherStatements++;
    peakBackends = Math.max(peakBackends, state.rows[0]!.backends);
    peakPool = Math.max(peakPool, db.pool.totalCount);
    if (state.rows[0]!.open === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const runStatements = statements - runStatementsBefore - watcherStatements;
  // Every backend of the database but the watcher's: the pool's, which did the whole run's work (and the starts').
  const backends = await watcher.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  const ticks = backends.rows.reduce((sum, { pid }) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return sum + Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  }, 0);
  const postgresCpuSeconds = ticks / 100;
  const aloneBefore = statements;
  let aloneWatcher = 0;
  for (let i = 0; i < SEQUENTIAL_RUNS; i++) {
    const { run } = await engine.startRun({ workflow: 'capacity_chain' });
    for (;;) {
      aloneWatcher++;
      const state = await watcher.query(`SELECT 1 FROM workflow_runs WHERE seq = $1 AND status = 1`, [run.seq]);
      if (state.rowCount) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const aloneStatements = statements - aloneBefore - aloneWatcher;
  await watcher.end();
  await nodeWorker.close();
  const result = {
    runs: RUNS,
    nodesPerRun: 3,
    redisBytesPerQueuedNode: Math.round((memoryQueued - memoryBefore) / RUNS),
    statementsPer1000Starts: +((startStatements / RUNS) * 1000).toFixed(1),
    statementsPerRunExecuted: +(runStatements / RUNS).toFixed(2),
    statementsPerRunAlone: +(aloneStatements / SEQUENTIAL_RUNS).toFixed(2),
    wallSeconds: +seconds.toFixed(1),
    runsPerSecond: Math.round(RUNS / seconds),
    workerCpuSeconds: +cpuSeconds.toFixed(1),
    runsPerWorkerCpuSecond: Math.round(RUNS / cpuSeconds),
    postgresCpuSeconds: +postgresCpuSeconds.toFixed(1),
    runsPerPostgresCpuSecond: Math.round(RUNS / postgresCpuSeconds),
    peakPoolConnections: peakPool,
    peakDatabaseBackends: peakBackends,
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await engine.close();
  redis.disconnect();
  worker.connection.disconnect();
  worker.subscriber.disconnect();
  await db.close();
  await keys.drop();
  await database.drop();
}
