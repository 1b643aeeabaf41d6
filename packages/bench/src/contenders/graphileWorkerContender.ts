import pg from 'pg';
import { Logger, makeWorkerUtils, run, type JobHelpers, type Task } from 'graphile-worker';
import { createScratchDatabase } from '../harness/scratchDatabase.ts';
import type { ContenderFactory } from './contender.ts';
import { JOIN_COUNTER_SQL, JobQueuePeer, type StepKind, type StepPayload } from './jobQueuePeer.ts';

/**
 * graphile-worker 0.18.0. Lowest-latency sensible settings: LISTEN/NOTIFY
 * wake-ups (its default; pollInterval only a fallback), concurrency 50 (as
 * flowline's), a pool of 60, prepared statements on (default).
 *
 * The `batched` variant is graphile-worker at its documented best for
 * throughput, as its docs' Performance page ("Quick stats … achieved with this
 * configuration") sets it: `concurrentJobs: 24`, `maxPoolSize: 25`,
 * `localQueue: { size: 500 }`, `completeJobBatchDelay: 0`,
 * `failJobBatchDelay: 0`. The 0.17 release notes say why: the local queue
 * "allows jobs to be fetched in a batch and distributed locally rather
 * on-demand fetching from each worker", and batched completion "can
 * significantly reduce load on the database". Bulk starts go through
 * `addJobs` (one `add_jobs(…)` call for the whole array: helpers.js
 * `makeAddJobs`), which its docs' Performance page measures as "jobs queued per
 * second from single add_jobs batch call".
 *
 * S1 counts a job complete when its row is gone from `_private_jobs` (a
 * completed job is deleted: sql/completeJobs.js). Not the `job:complete` event:
 * 0.18's worker.js calls `completeJob(job);` without awaiting it, then emits
 * `job:complete`, so the event fires before the completion is written.
 */
const CONCURRENCY = 50;
const BATCHED = { concurrency: 24, maxPoolSize: 25, localQueueSize: 500 } as const;

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
      const pgPool = new pg.Pool({ connectionString: database.url, max: batched ? BATCHED.maxPoolSize : CONCURRENCY + 10 });
      pgPool.on('error', () => {});
      pgPool.on('connect', (client) => client.on('error', () => {}));
      const utils = await makeWorkerUtils({ pgPool, logger: silentLogger });
      await utils.migrate();
      await utils.withPgClient((client) => client.query(JOIN_COUNTER_SQL.create));
      const peer = new JobQueuePeer({
        enqueue: (kind, payload) => utils.addJob(kind, payload),
        enqueueMany: (kind, payloads) => utils.addJobs(payloads.map((payload) => ({ identifier: kind, payload }))),
        unfinished: async () =>
          Number(
            (
              await pgPool.query<{ n: string }>(
                `SELECT count(*) AS n FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'one'`,
              )
            ).rows[0]!.n,
          ),
      });

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
        concurrency: batched ? BATCHED.concurrency : CONCURRENCY,
        noHandleSignals: true,
        pollInterval: 1000,
        taskList,
        logger: silentLogger,
        ...(batched ? { preset: { worker: { localQueue: { size: BATCHED.localQueueSize }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } } : {}),
      });
      return peer.contender(async () => {
        await runner.stop();
        await utils.release();
        await pgPool.end();
        await database.drop();
      }, { databaseUrl: database.url, childPids: () => [] });
    },
  };
}

export const graphileWorkerContender = graphileWorkerFactory(false);
export const graphileWorkerBatchedContender = graphileWorkerFactory(true);
