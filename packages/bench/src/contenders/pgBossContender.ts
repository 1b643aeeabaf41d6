import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { createScratchDatabase } from '../harness/scratchDatabase.ts';
import type { ContenderFactory } from './contender.ts';
import { JOIN_COUNTER_SQL, JobQueuePeer, type StepKind, type StepPayload } from './jobQueuePeer.ts';

/**
 * pg-boss 12.38.0 at its documented best for S1's throughput. Every setting, and
 * the line of pg-boss's own source or type docs (dist/types.d.ts, dist/manager.js,
 * dist/plans.js of the installed package) behind it:
 * - bulk starts with `insert(name, jobs)`: one `INSERT … SELECT FROM
 *   json_to_recordset($1)` for the whole array (plans.js `insertJobs`), and with
 *   `notify` one transactional NOTIFY per statement ("Fire a single
 *   transactional NOTIFY … pg_notify runs at most once thanks to LIMIT 1");
 * - `batchSize` 100: "The number of jobs to fetch" per fetch (JobFetchOptions);
 *   the completion of a batch is one statement (manager.js `#processJobs` →
 *   `complete(name, jobs)`), so a larger batch is fewer round trips both ways;
 * - `localConcurrency` 2, one fetch loop per core: "Number of workers to spawn
 *   for this queue (per-node). Each worker polls and processes jobs
 *   independently" (WorkConcurrencyOptions);
 * - `burstWhenBatchFull`: "While each fetch returns a full `batchSize` batch
 *   there is clearly more work, so the worker keeps fetching continuously with
 *   no delay" (JobPollingOptions);
 * - `useListenNotify` and queues created with `notify: true`, so an insert wakes
 *   an idle worker at once ("Enables the LISTEN/NOTIFY listener so workers on
 *   notify-enabled queues are woken", ConstructorOptions), and
 *   `notifyPollingIntervalSeconds` 0.5, its minimum ("Must be >= `0.5`"),
 *   instead of the 30 s default backstop;
 * - maintenance and cron off (`supervise`, `schedule` false): nothing else
 *   competes for the two cores.
 * S1 counts a job complete once pg-boss wrote it so: `state` past `active` in
 * its job table, as flowline's runs are counted by their row.
 */
const THROUGHPUT = { localConcurrency: 2, batchSize: 100, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5 };

/**
 * The other scenarios' queues (S2 chains, S3 fan-outs, S5 held jobs) keep the
 * lowest-latency settings they were measured with: 5 local workers fetching
 * batches of up to 10 (50 in flight, as flowline's concurrency).
 */
const LATENCY = { localConcurrency: 5, batchSize: 10, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5 };

const QUEUES: readonly StepKind[] = ['one', 'held', 'chain', 'root', 'middle', 'join'];

export const pgBossContender: ContenderFactory = {
  name: 'pg-boss',
  postgresBacked: true,
  async start(env) {
    const database = await createScratchDatabase(env.databaseUrl, 'pgboss');
    const boss = new PgBoss({ connectionString: database.url, max: 30, useListenNotify: true, supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    for (const queue of QUEUES) await boss.createQueue(queue, { notify: true });
    const pool = new pg.Pool({ connectionString: database.url, max: 10 });
    await pool.query(JOIN_COUNTER_SQL.create);
    const peer = new JobQueuePeer({
      enqueue: (kind, payload) => boss.send(kind, { ...payload }),
      enqueueMany: (kind, payloads) => boss.insert(kind, payloads.map((data) => ({ data: { ...data } }))),
      unfinished: async () =>
        Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM pgboss.job WHERE name = 'one' AND state < 'completed'`)).rows[0]!.n),
    });

    const handlers: Record<StepKind, (payload: StepPayload) => Promise<void>> = {
      // Counted from the job table (see `unfinished`): pg-boss writes the completion after the handler returns.
      one: async () => {},
      held: () => peer.held(),
      chain: (payload) => peer.chainStep(payload),
      root: async ({ key, width }) => {
        await pool.query(JOIN_COUNTER_SQL.open, [key, width]);
        await boss.insert('middle', Array.from({ length: width }, (_, i) => ({ data: { key, step: i, width } })));
      },
      middle: async ({ key }) => {
        const left = await pool.query<{ remaining: number }>(JOIN_COUNTER_SQL.decrement, [key]);
        if (left.rows[0]!.remaining === 0) await boss.send('join', { key, step: 0, width: 0 });
      },
      join: async (payload) => peer.joined(payload),
    };
    for (const queue of QUEUES) {
      await boss.work<StepPayload>(
        queue,
        queue === 'one' ? THROUGHPUT : LATENCY,
        async (jobs) => {
          await Promise.all(jobs.map((job) => handlers[queue](job.data)));
        },
      );
    }

    return peer.contender(async () => {
      // Graceful: a non-graceful stop returns before its pool is closed, and dropping the
      // database under an open pool is an unhandled error in pg-boss.
      await boss.stop({ graceful: true, timeout: 2000 }).catch(() => {});
      await pool.end();
      await database.drop();
    }, { databaseUrl: database.url, childPids: () => [] });
  },
};
