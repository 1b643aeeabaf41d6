import { Queue } from 'bullmq';
import type { RedisConnection } from './redisConnection.ts';
import { uuidToShortId } from '../core/ids.ts';
import type { NodeAttempt } from '../storage/nodeAttempt.ts';
import { QueueName, batchJobId, bullPrefix, nodeJobId } from './keys.ts';
import { bullPriority } from './nodePriority.ts';
import { oldestWaitingSince } from './oldestWaiting.ts';

/** What a node job carries: the address of one node attempt, or of a batch of them; the rows in Postgres hold the rest. */
export type NodeJobData = NodeAttempt | NodeBatchData;

/** The addresses of node attempts due at once on one queue, dispatched as one job (see NodeQueue). */
export interface NodeBatchData {
  readonly attempts: readonly NodeAttempt[];
}

/** The attempts a node job carries. */
export function attemptsOf(data: NodeJobData): readonly NodeAttempt[] {
  return 'attempts' in data ? data.attempts : [data];
}

/**
 * The most attempts one job carries. A job costs BullMQ three scripts (add,
 * move to active, move to finished) with their events; a batch shares them.
 * Bounded so that a worker taking a batch with one slot free runs at most
 * this many less one past its concurrency, and a batch spreads no worse than
 * that over a fleet.
 */
export const NODE_BATCH_MAX = 16;

/** A node attempt to dispatch: its queue (see nodeRouting.ts), and when it becomes due. */
export interface NodeDispatch extends NodeAttempt {
  readonly queue: string;
  readonly runAt: Date;
  /** its run's priority (queue/nodePriority.ts); absent: 0 */
  readonly priority?: number;
}

/** Job states meaning no job will run the attempt: none at all, or one already finished. */
const LOST_JOB_STATES: readonly string[] = ['unknown', 'completed', 'failed'];

/**
 * Dispatches node attempts to BullMQ, each to its queue (see nodeRouting.ts).
 * Attempts due now at the default priority go in batches of up to
 * NODE_BATCH_MAX a job (a start of many runs, a fan-out's release); a delayed
 * retry or a prioritized run's attempt goes alone, where BullMQ's delay and
 * priority order apply to it. Job ids are deterministic, so enqueueing the
 * same attempt or batch twice (a retried commit, the reconciler) adds one job.
 * Completed jobs are removed at once: Postgres, not Redis, keeps the history.
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

  /**
   * Adds the attempts' jobs, one bulk add per queue. `batch: false` adds each
   * alone, for attempts READY for a while already (re-dispatched, handed back
   * by a lane): a batch job added long after they became READY could not be
   * told from a lost one by the reconciler (see redispatch).
   */
  async dispatch(jobs: readonly NodeDispatch[], now: Date = new Date(), batch = true): Promise<void> {
    if (jobs.length === 0) return;
    const byQueue = new Map<string, NodeDispatch[]>();
    for (const job of jobs) {
      const queued = byQueue.get(job.queue);
      if (queued) queued.push(job);
      else byQueue.set(job.queue, [job]);
    }
    await Promise.all(
      [...byQueue].map(([name, queued]) =>
        this.queue(name).addBulk(jobsOf(queued, now, batch)),
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
   *
   * An attempt dispatched in a batch has no job of its own: while its queue
   * still holds a job waiting since no later than `dispatchMs` after the
   * attempt became READY (`readyAt`; its dispatch follows that commit), it may
   * be in that job's batch, and is left alone; once the queue has worked
   * through what waited that long, it is re-dispatched if still READY. So an
   * attempt lost behind a backlog runs when the backlog ahead of it has run.
   */
  async redispatch<T extends NodeAttempt & { readonly queue: string; readonly priority?: number; readonly readyAt: Date }>(
    attempts: readonly T[],
    now: Date,
    dispatchMs: number,
  ): Promise<T[]> {
    const checked = await Promise.all(attempts.map(async (a) => ({ attempt: a, state: await this.queue(a.queue).getJobState(jobIdOf(a)) })));
    const waitingSince = new Map<string, number | undefined>();
    for (const { attempt, state } of checked) {
      if (state === 'unknown' && !waitingSince.has(attempt.queue)) waitingSince.set(attempt.queue, await oldestWaitingSince(this.queue(attempt.queue)));
    }
    const inABatch = ({ attempt, state }: (typeof checked)[number]) => {
      const since = waitingSince.get(attempt.queue);
      return state === 'unknown' && since !== undefined && since <= attempt.readyAt.getTime() + dispatchMs;
    };
    const lost = checked.filter((c) => LOST_JOB_STATES.includes(c.state) && !inABatch(c));
    // Whatever still holds the id must go before the same id can be added again: a finished
    // job, or an orphaned job hash in no list ('unknown': Redis lost its list but not the
    // hash, seen when keys vanish mid-add), which BullMQ would otherwise take as a duplicate.
    await Promise.all(lost.map((c) => this.queue(c.attempt.queue).remove(jobIdOf(c.attempt))));
    // Each alone, under its own id: what is found lost again is then told apart from what waits.
    await this.dispatch(
      lost.map(({ attempt: a }) => ({ runId: a.runId, node: a.node, attempt: a.attempt, queue: a.queue, runAt: now, ...(a.priority ? { priority: a.priority } : {}) })),
      now,
      false,
    );
    return lost.map((c) => c.attempt);
  }

  /**
   * Adds a batch job of attempts taken from another that did not fit a
   * worker's free slots, dated as that job (`since`): to the reconciler they
   * have waited in a batch since then (see redispatch).
   */
  async addBatch(name: string, attempts: readonly NodeAttempt[], since: number): Promise<void> {
    const [first] = attempts;
    if (!first) return;
    await this.queue(name).add(first.node, batchOf(attempts), { jobId: batchJobId(jobIdOf(first), attempts.length), timestamp: since });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}

function jobIdOf(attempt: NodeAttempt): string {
  return nodeJobId(uuidToShortId(attempt.runId), attempt.node, attempt.attempt);
}

/** The jobs of one queue's attempts: with `batch`, those due now at the default priority in batches (see NodeQueue); the rest one a job. */
function jobsOf(attempts: readonly NodeDispatch[], now: Date, batch: boolean): { name: string; data: NodeJobData; opts: { jobId: string; delay: number; priority: number } }[] {
  const batchable = (a: NodeDispatch) => batch && a.runAt.getTime() <= now.getTime() && !a.priority;
  const batched = attempts.filter(batchable);
  const alone = batched.length > 1 ? attempts.filter((a) => !batchable(a)) : attempts;
  const jobs: ReturnType<typeof jobsOf> = alone.map((job) => ({
    name: job.node,
    data: { runId: job.runId, node: job.node, attempt: job.attempt },
    opts: { jobId: jobIdOf(job), delay: Math.max(0, job.runAt.getTime() - now.getTime()), priority: bullPriority(job.priority ?? 0) },
  }));
  if (batched.length <= 1) return jobs;
  for (let from = 0; from < batched.length; from += NODE_BATCH_MAX) {
    const batch = batched.slice(from, from + NODE_BATCH_MAX);
    jobs.push({
      name: batch[0]!.node,
      data: batchOf(batch),
      opts: { jobId: batchJobId(jobIdOf(batch[0]!), batch.length), delay: 0, priority: 0 },
    });
  }
  return jobs;
}

/** A batch job's data: the attempts' addresses only. */
function batchOf(attempts: readonly NodeAttempt[]): NodeBatchData {
  return { attempts: attempts.map(({ runId, node, attempt }) => ({ runId, node, attempt })) };
}
