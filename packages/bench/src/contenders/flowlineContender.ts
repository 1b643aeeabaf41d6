import { Engine, connectRedis, defineWorkflow, migrateDatabase, openDatabase, type NodeContext } from '@flowline/engine';
import { NodeWorker } from '@flowline/worker';
import type { Redis } from 'ioredis';
import { forEachBounded } from '../harness/boundedConcurrency.ts';
import { createScratchDatabase } from '../harness/scratchDatabase.ts';
import { createScratchRedisPrefix } from '../harness/scratchRedis.ts';
import { startAll, untilNoneUnfinished } from '../harness/startMode.ts';
import type { Contender, ContenderFactory } from './contender.ts';
import { flowlineRunCount } from './flowlineRunCount.ts';

/**
 * flowline in the benchmark's own process, labelled so: NOT as shipped (see
 * flowlineShippedContender.ts for that). One process holds the engine and a
 * NodeWorker, every run and node a row in Postgres; starts made there go to
 * the worker's local queue, never crossing Redis, with a pool of 60 (shipped:
 * 20 a process), no logger and no reconciler. It stays as the row that shows
 * what the engine does without the API, HTTP and logging around it.
 *
 * `flowline (split)` starts runs through an engine of its own, as a separate
 * API process does: every start reaches the worker through Redis, and only the
 * nodes the worker itself releases (chain steps, fan-out children) take its
 * local lane.
 */
const WORKER_CONCURRENCY = 50;
const POOL_SIZE = 60;

export const flowlineContender = flowlineFactory('flowline (in-process)', { split: false });
export const flowlineSplitContender = flowlineFactory('flowline (split)', { split: true });

function flowlineFactory(name: string, { split }: { split: boolean }): ContenderFactory {
  return {
    name,
    postgresBacked: true,
    async start(env) {
      const database = await createScratchDatabase(env.databaseUrl, 'flowline');
      const keys = createScratchRedisPrefix(env.redisUrl, 'flowline');
      const db = openDatabase(database.url, { max: POOL_SIZE });
      await migrateDatabase(db);
      const connections: Redis[] = [];
      const redis = () => {
        const connection = connectRedis(env.redisUrl);
        connections.push(connection);
        return connection;
      };
      const engine = new Engine({ db, redis: redis(), queuePrefix: keys.prefix });
      // Where starts are made: the worker's own engine, or (split) one without a worker, as an API process.
      const starter = split ? new Engine({ db, redis: redis(), queuePrefix: keys.prefix }) : engine;
      const worker = new NodeWorker(engine, { concurrency: WORKER_CONCURRENCY, connection: redis(), subscriber: redis(), drainMs: 1000 });

      const chainSteps = new Map<string, { steps: number[]; lastRan: () => void }>();
      const joins = new Map<string, () => void>();
      let gate: Promise<void> = Promise.resolve();
      let sequence = 0;
      await engine.registerWorkflow(defineWorkflow({ name: 'bench_one_step', nodes: [{ name: 'step', run: async () => null }] }));
      await engine.registerWorkflow(defineWorkflow({ name: 'bench_held', nodes: [{ name: 'step', run: () => gate.then(() => null) }] }));
      const CHAIN_LENGTH = 10;
      await engine.registerWorkflow(
        defineWorkflow({
          name: 'bench_chain',
          nodes: Array.from({ length: CHAIN_LENGTH }, (_, i) => ({
            name: `s${i}`,
            ...(i === 0 ? {} : { dependsOn: [`s${i - 1}`] }),
            run: async (ctx: NodeContext) => {
              const chain = chainSteps.get(ctx.bizId);
              chain?.steps.push(performance.now());
              if (i === CHAIN_LENGTH - 1) chain?.lastRan();
              return null;
            },
          })),
        }),
      );
      for (const width of env.scale.fanOutWidths) {
        const middle = Array.from({ length: width }, (_, i) => `m${i}`);
        await engine.registerWorkflow(
          defineWorkflow({
            name: `bench_fan_${width}`,
            nodes: [
              { name: 'root', run: async () => null },
              ...middle.map((name) => ({ name, dependsOn: ['root'], run: async () => null })),
              { name: 'join', dependsOn: middle, run: async (ctx: NodeContext) => joins.get(ctx.bizId)?.() ?? null },
            ],
          }),
        );
      }
      await worker.start();

      // Completed means durable: the run row says it ended (counted as flowlineRunCount.ts says).
      const runs = flowlineRunCount(database.url);
      const liveRuns = () => runs.live();
      const succeededRuns = () => runs.succeeded();
      const untilNoneLive = () => untilNoneUnfinished(liveRuns);
      const expectSucceeded = async (target: number) => {
        const succeeded = await succeededRuns();
        if (succeeded !== target) throw new Error(`flowline: ${succeeded} runs succeeded, expected ${target}`);
      };

      const contender: Contender = {
        cost: { databaseUrl: database.url, childPids: () => [] },
        async runOneStep(count, mode) {
          const target = (await succeededRuns()) + count;
          await startAll(
            count,
            mode,
            () => starter.startRun({ workflow: 'bench_one_step' }),
            (_, n) => starter.startRuns(Array.from({ length: n }, () => ({ workflow: 'bench_one_step' }))),
          );
          await untilNoneUnfinished(liveRuns);
          await expectSucceeded(target);
        },
        async runChain(length) {
          if (length !== CHAIN_LENGTH) throw new Error(`flowline bench chain has ${CHAIN_LENGTH} steps`);
          const target = (await succeededRuns()) + 1;
          // Keyed by bizId, known before the start: the first step may run before startRun returns.
          const bizId = `chain-${++sequence}`;
          const steps: number[] = [];
          const lastRan = new Promise<void>((resolve) => chainSteps.set(bizId, { steps, lastRan: resolve }));
          const started = performance.now();
          await starter.startRun({ workflow: 'bench_chain', bizId });
          // Polled only once the last step has run, so no poll query competes with the hops measured.
          await lastRan;
          await untilNoneLive();
          await expectSucceeded(target);
          chainSteps.delete(bizId);
          return [started, ...steps];
        },
        async runFanOut(width) {
          const bizId = `fan-${++sequence}`;
          const joined = new Promise<void>((resolve) => joins.set(bizId, resolve));
          await starter.startRun({ workflow: `bench_fan_${width}`, bizId });
          await joined;
          joins.delete(bizId);
        },
        async holdInFlight(count, producers) {
          let open!: () => void;
          gate = new Promise((resolve) => (open = resolve));
          await forEachBounded(count, producers, () => starter.startRun({ workflow: 'bench_held' }));
          return {
            release: async () => {
              open();
              await untilNoneLive();
            },
          };
        },
        residentBytes: () => process.memoryUsage().rss,
        async close() {
          await worker.close();
          await engine.close();
          if (starter !== engine) await starter.close();
          for (const connection of connections) connection.disconnect();
          await runs.end();
          await db.close();
          await keys.drop();
          await database.drop();
        },
      };
      return contender;
    },
  };
}
