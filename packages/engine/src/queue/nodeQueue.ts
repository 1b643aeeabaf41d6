import { Queue } from 'bullmq';
import type { RedisConnection } from './redisConnection.ts';
import { uuidToShortId } from '../core/ids.ts';
import type { NodeAttempt } from '../storage/nodeAttempt.ts';
import { QueueName, bullPrefix, nodeJobId } from './keys.ts';
import { bullPriority } from './nodePriority.ts';

/** What a node job carries: just the address of a node attempt; the row in Postgres holds the rest. */
export type NodeJobData = NodeAttempt;

/** A node attempt to dispatch: its queue (see nodeRouting.ts), and when it becomes due. */
export interface NodeDispatch extends NodeJobData {
  readonly queue: string;
  readonly runAt: Date;
  /** its run's priority (queue/nodePriority.ts); absent: 0 */
  readonly priority?: number;
}

/** Job states meaning no job will run the attempt: none at all, or one already finished. */
const LOST_JOB_STATES: readonly string[] = ['unknown', 'completed', 'failed'];

/**
 * Dispatches node attempts to BullMQ, each to its queue (see nodeRouting.ts).
 * Job ids are deterministic, so enqueueing the same attempt twice (a retried
 * commit, the reconciler) adds one job. Completed jobs are removed at once:
 * Postgres, not Redis, keeps the history.
 */
export class NodeQueue {
  private readonly queues = new Map<string, Queue<NodeJobData>>();

  constructor(
    private readonly connection: RedisConnection,
    private readonly queuePrefix: string,
    /** told of each queue the first time it is used (for its depth in /metrics) */
    private readonly onQueue: (queue: Queue) => void = () => {},
  ) {
    this.queue(QueueName.NODES);
  }

  /** The BullMQ queue of that name, opened the first time it is asked for. */
  queue(name: string): Queue<NodeJobData> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<NodeJobData>(name, {
        connection: this.connection,
        prefix: bullPrefix(this.queuePrefix),
        defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000, attempts: 1 },
      });
      this.queues.set(name, queue);
      this.onQueue(queue);
    }
    return queue;
  }

  async dispatch(jobs: readonly NodeDispatch[], now: Date = new Date()): Promise<void> {
    if (jobs.length === 0) return;
    const byQueue = new Map<string, NodeDispatch[]>();
    for (const job of jobs) {
      const queued = byQueue.get(job.queue);
      if (queued) queued.push(job);
      else byQueue.set(job.queue, [job]);
    }
    await Promise.all(
      [...byQueue].map(([name, queued]) =>
        this.queue(name).addBulk(
          queued.map((job) => ({
            name: job.node,
            data: { runId: job.runId, node: job.node, attempt: job.attempt },
            opts: { jobId: jobIdOf(job), delay: Math.max(0, job.runAt.getTime() - now.getTime()), priority: bullPriority(job.priority ?? 0) },
          })),
        ),
      ),
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
  async redispatch<T extends NodeAttempt & { readonly queue: string; readonly priority?: number }>(attempts: readonly T[], now: Date): Promise<T[]> {
    const checked = await Promise.all(attempts.map(async (a) => ({ attempt: a, state: await this.queue(a.queue).getJobState(jobIdOf(a)) })));
    const lost = checked.filter((c) => LOST_JOB_STATES.includes(c.state));
    // Whatever still holds the id must go before the same id can be added again: a finished
    // job, or an orphaned job hash in no list ('unknown': Redis lost its list but not the
    // hash, seen when keys vanish mid-add), which BullMQ would otherwise take as a duplicate.
    await Promise.all(lost.map((c) => this.queue(c.attempt.queue).remove(jobIdOf(c.attempt))));
    await this.dispatch(
      lost.map(({ attempt: a }) => ({ runId: a.runId, node: a.node, attempt: a.attempt, queue: a.queue, runAt: now, ...(a.priority ? { priority: a.priority } : {}) })),
      now,
    );
    return lost.map((c) => c.attempt);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}

function jobIdOf(attempt: NodeAttempt): string {
  return nodeJobId(uuidToShortId(attempt.runId), attempt.node, attempt.attempt);
}
