import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { createScratchDatabase } from '../harness/scratchDatabase.ts';
import type { ContenderFactory } from './contender.ts';
import { JOIN_COUNTER_SQL, JobQueuePeer, type StepKind, type StepPayload } from './jobQueuePeer.ts';

/**
 * pg-boss 12.38.0. Lowest-latency sensible settings: LISTEN/NOTIFY on
 * (useListenNotify + notify queues, so a send wakes a worker at once instead
 * of after the 0.5 s minimum poll), 5 local workers per queue fetching batches
 * of up to 10 and fetching again at once while batches come back full (50 jobs
 * in flight, as flowline's concurrency), maintenance and cron off.
 */
const LOCAL_CONCURRENCY = 5;
const BATCH_SIZE = 10;

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
    const peer = new JobQueuePeer((kind, payload) => boss.send(kind, { ...payload }));

    const handlers: Record<StepKind, (payload: StepPayload) => Promise<void>> = {
      // Counted when the handler returns; pg-boss writes the completion just after, per batch.
      one: async () => peer.oneCompleted(),
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
        { localConcurrency: LOCAL_CONCURRENCY, batchSize: BATCH_SIZE, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
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
    });
  },
};
