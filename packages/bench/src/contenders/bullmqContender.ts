import { FlowProducer, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createScratchRedisPrefix } from '../harness/scratchRedis.ts';
import type { ContenderFactory } from './contender.ts';
import { JobQueuePeer, type StepKind, type StepPayload } from './jobQueuePeer.ts';

/**
 * Raw BullMQ 5.81.5: jobs in Redis only, nothing durable in Postgres — the
 * ceiling a Redis dispatcher sets. Lowest-latency sensible settings: one Worker
 * with concurrency 50 (as flowline's), blocking fetch (no polling),
 * removeOnComplete so Redis does not grow, default stalled checks. Chains
 * enqueue the next step from the handler; the S3 join is a FlowProducer
 * parent whose children are the middle steps.
 */
const CONCURRENCY = 50;
const QUEUE = 'steps';

type StepJob = StepPayload & { readonly kind: StepKind };

export const bullmqContender: ContenderFactory = {
  name: 'bullmq',
  postgresBacked: false,
  async start(env) {
    const keys = createScratchRedisPrefix(env.redisUrl, 'bullmq');
    const connections: Redis[] = [];
    const redis = () => {
      const connection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
      connections.push(connection);
      return connection;
    };
    const queue = new Queue<StepJob>(QUEUE, { connection: redis(), prefix: keys.prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
    const flows = new FlowProducer({ connection: redis(), prefix: keys.prefix });
    // Bulk starts with `addBulk`: one MULTI of adds for the whole array (BullMQ's Queue.addBulk).
    const peer = new JobQueuePeer({
      enqueue: (kind, payload) => queue.add(kind, { kind, ...payload }),
      enqueueMany: (kind, payloads) => queue.addBulk(payloads.map((payload) => ({ name: kind, data: { kind, ...payload } }))),
    });

    const handle = async ({ data }: Job<StepJob>) => {
      if (data.kind === 'held') await peer.held();
      else if (data.kind === 'chain') await peer.chainStep(data);
      else if (data.kind === 'join') peer.joined(data);
      else if (data.kind === 'root') {
        const step = (kind: StepKind, i: number) => ({ name: kind, queueName: QUEUE, data: { kind, key: data.key, step: i, width: data.width }, opts: { removeOnComplete: true } });
        await flows.add({ ...step('join', 0), children: Array.from({ length: data.width }, (_, i) => step('middle', i)) });
      }
    };
    const worker = new Worker<StepJob>(QUEUE, handle, { connection: redis(), prefix: keys.prefix, concurrency: CONCURRENCY });
    worker.on('completed', (job) => {
      if (job.data.kind === 'one') peer.oneCompleted();
    });
    await worker.waitUntilReady();

    return peer.contender(async () => {
      await worker.close();
      await flows.close();
      await queue.close();
      for (const connection of connections) connection.disconnect();
      await keys.drop();
    }, { childPids: () => [] });
  },
};
