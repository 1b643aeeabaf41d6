import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { uuidToShortId } from '../core/ids.ts';
import { QueueName, bullPrefix, nodeJobId } from './keys.ts';

/** What a node job carries: just the address of a node attempt; the row in Postgres holds the rest. */
export interface NodeJobData {
  readonly runId: string;
  readonly node: string;
  readonly attempt: number;
}

export interface NodeDispatch extends NodeJobData {
  readonly runAt: Date;
}

/**
 * Dispatches node attempts to BullMQ. Job ids are deterministic, so enqueueing
 * the same attempt twice (a retried commit, the reconciler) adds one job.
 * Completed jobs are removed at once: Postgres, not Redis, keeps the history.
 */
export class NodeQueue {
  readonly queue: Queue<NodeJobData>;

  constructor(connection: Redis, queuePrefix: string) {
    this.queue = new Queue<NodeJobData>(QueueName.NODES, {
      connection,
      prefix: bullPrefix(queuePrefix),
      defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000, attempts: 1 },
    });
  }

  async dispatch(jobs: readonly NodeDispatch[], now: Date = new Date()): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((job) => ({
        name: job.node,
        data: { runId: job.runId, node: job.node, attempt: job.attempt },
        opts: {
          jobId: nodeJobId(uuidToShortId(job.runId), job.node, job.attempt),
          delay: Math.max(0, job.runAt.getTime() - now.getTime()),
        },
      })),
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
