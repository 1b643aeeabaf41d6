import pg from 'pg';
import { Logger, makeWorkerUtils, run, type JobHelpers, type Task } from 'graphile-worker';
import { createScratchDatabase } from '../harness/scratchDatabase.ts';
import type { ContenderFactory } from './contender.ts';
import { JOIN_COUNTER_SQL, JobQueuePeer, type StepKind, type StepPayload } from './jobQueuePeer.ts';

/**
 * graphile-worker 0.18.0. Lowest-latency sensible settings: LISTEN/NOTIFY
 * wake-ups (its default; pollInterval only a fallback), concurrency 50 (as
 * flowline's), a pool of 60, prepared statements on (default). The `batched`
 * variant adds what its docs recommend for throughput: a local queue that locks
 * jobs in batches of up to 500 and batched completion writes
 * (completeJobBatchDelay 0: flush every tick).
 */
const CONCURRENCY = 50;

/** graphile-worker logs every job at info; the benchmark's output is the table. */
const silentLogger = new Logger(() => () => {});

function graphileWorkerFactory(batched: boolean): ContenderFactory {
  return {
    name: batched ? 'graphile-worker (batched)' : 'graphile-worker',
    postgresBacked: true,
    async start(env) {
      const database = await createScratchDatabase(env.databaseUrl, batched ? 'graphile_b' : 'graphile');
      // One pool the harness owns and ends before dropping the database: graphile's own
      // pools outlive runner.stop() by a moment and would see the drop as a fatal error.
      const pgPool = new pg.Pool({ connectionString: database.url, max: CONCURRENCY + 10 });
      pgPool.on('error', () => {});
      pgPool.on('connect', (client) => client.on('error', () => {}));
      const utils = await makeWorkerUtils({ pgPool, logger: silentLogger });
      await utils.migrate();
      await utils.withPgClient((client) => client.query(JOIN_COUNTER_SQL.create));
      const peer = new JobQueuePeer((kind, payload) => utils.addJob(kind, payload));

      const taskList: Record<StepKind, Task> = {
        one: async () => {},
        held: () => peer.held(),
        chain: (payload, helpers: JobHelpers) => peer.chainStep(payload as StepPayload, (kind, next) => helpers.addJob(kind, next)),
        root: async (payload, helpers: JobHelpers) => {
          const { key, width } = payload as StepPayload;
          await helpers.query(JOIN_COUNTER_SQL.open, [key, width]);
          await helpers.addJobs(Array.from({ length: width }, (_, i) => ({ identifier: 'middle', payload: { key, step: i, width } })));
        },
        middle: async (payload, helpers: JobHelpers) => {
          const { key } = payload as StepPayload;
          const left = await helpers.query<{ remaining: number }>(JOIN_COUNTER_SQL.decrement, [key]);
          if (left.rows[0]!.remaining === 0) await helpers.addJob('join', { key, step: 0, width: 0 });
        },
        join: async (payload) => peer.joined(payload as StepPayload),
      };
      const runner = await run({
        pgPool,
        concurrency: CONCURRENCY,
        noHandleSignals: true,
        pollInterval: 1000,
        taskList,
        logger: silentLogger,
        ...(batched ? { preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } } : {}),
      });
      // 'job:complete' fires once the completion is written back to the database.
      runner.events.on('job:complete', ({ job }) => {
        if (job.task_identifier === 'one') peer.oneCompleted();
      });

      return peer.contender(async () => {
        await runner.stop();
        await utils.release();
        await pgPool.end();
        await database.drop();
      });
    },
  };
}

export const graphileWorkerContender = graphileWorkerFactory(false);
export const graphileWorkerBatchedContender = graphileWorkerFactory(true);
