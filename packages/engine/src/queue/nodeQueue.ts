import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { uuidToShortId } from '../core/ids.ts';
import type { NodeAttempt } from '../storage/nodeAttempt.ts';
import { QueueName, bullPrefix, nodeJobId } from './keys.ts';

/** What a node job carries: just the address of a node attempt; the row in Postgres holds the rest. */
export type NodeJobData = NodeAttempt;

/** A node attempt to dispatch, and when it becomes due. */
export interface NodeDispatch extends NodeJobData {
  readonly runAt: Date;
}

/** Job states meaning no job will run the attempt: none at all, or one already finished. */
const LOST_JOB_STATES: readonly string[] = ['unknown', 'completed', 'failed'];

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
          jobId: jobIdOf(job),
          delay: Math.max(0, job.runAt.getTime() - now.getTime()),
        },
      })),
    );
  }

  /**
   * Re-dispatches the attempts whose job Redis no longer holds (lost with
   * Redis, or never added because the dispatch after commit failed), or holds
   * only as finished (a job that failed on an infrastructure error while its
   * row stayed READY). A waiting, delayed or active job is left alone: BullMQ's
   * stalled-job check owns active jobs of dead workers. A re-dispatched retry
   * runs at once; its backoff was lost with the job. Returns those re-added.
   */
  async redispatch(attempts: readonly NodeAttempt[], now: Date): Promise<NodeAttempt[]> {
    const checked = await Promise.all(attempts.map(async (a) => ({ attempt: a, state: await this.queue.getJobState(jobIdOf(a)) })));
    const lost = checked.filter((c) => LOST_JOB_STATES.includes(c.state));
    // Whatever still holds the id must go before the same id can be added again: a finished
    // job, or an orphaned job hash in no list ('unknown': Redis lost its list but not the
    // hash, seen when keys vanish mid-add), which BullMQ would otherwise take as a duplicate.
    await Promise.all(lost.map((c) => this.queue.remove(jobIdOf(c.attempt))));
    await this.dispatch(lost.map((c) => ({ ...c.attempt, runAt: now })), now);
    return lost.map((c) => c.attempt);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

function jobIdOf(attempt: NodeAttempt): string {
  return nodeJobId(uuidToShortId(attempt.runId), attempt.node, attempt.attempt);
}
