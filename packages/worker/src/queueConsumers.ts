import { Worker, type Job } from 'bullmq';
import type { RedisConnection } from '@flowline/engine';
import { NODE_BATCH_MAX, attemptsOf, uuidToShortId, type NodeAttempt, type NodeJobData, type WorkerPort } from '@flowline/engine';

/** How long a queue job taken by a worker is its own before BullMQ's stalled-job check may hand it to another. */
const QUEUE_LOCK_MS = 1_500;
const QUEUE_STALLED_CHECK_MS = 500;
/** What BullMQ says of a job whose keys Redis no longer holds, or whose lock lapsed: the attempt is Postgres's, unharmed. */
const REDIS_LOSS = /Missing (key|lock) for job|stalled more than allowable limit/;

interface Consumer {
  readonly worker: Worker<NodeJobData>;
  /** jobs of this queue this worker runs now */
  jobs: number;
  /** their attempts (a batch job carries several, see NodeQueue) */
  active: number;
}

/**
 * The BullMQ consumers of one worker: one per queue its process serves (the
 * built-in types' queue, and each code namespace it registered, see
 * nodeRouting.ts), all sharing the worker's slots. BullMQ bounds each
 * consumer alone, in jobs, so each is let take beside what it runs one job
 * for every NODE_BATCH_MAX slots free of the queues' share (`setShare`), at
 * least one while any is free: a job may be a batch of that many attempts,
 * of which it runs what fits (see take). Together they stay within the
 * worker's concurrency, give or take one attempt each (BullMQ takes at least one job).
 */
export class QueueConsumers {
  private readonly consumers = new Map<string, Consumer>();

  constructor(
    private readonly port: WorkerPort,
    /** BullMQ duplicates it for each consumer's blocking reads */
    private readonly connection: RedisConnection,
    /** runs a job's attempt in a slot of the worker, `dueAt` when its job became due */
    private readonly run: (attempt: NodeAttempt, dueAt: number) => Promise<void>,
    private share: number,
  ) {}

  /** Starts consuming the queues not consumed yet; settles once each is ready. */
  async consume(queues: readonly string[]): Promise<void> {
    const added = queues.filter((name) => !this.consumers.has(name)).map((name) => this.open(name));
    await Promise.all(added.map((consumer) => consumer.worker.waitUntilReady()));
  }

  /** The queues' share of the worker's slots (what local attempts leave them). */
  setShare(share: number): void {
    this.share = share;
    this.fit();
  }

  /** Stops taking jobs; with `force`, without waiting for the running ones. */
  async close(force = false): Promise<void> {
    await Promise.all([...this.consumers.values()].map(({ worker }) => worker.close(force)));
  }

  private open(name: string): Consumer {
    const consumer: Consumer = {
      jobs: 0,
      active: 0,
      worker: new Worker<NodeJobData>(name, (job) => this.take(consumer, job), {
        connection: this.connection,
        prefix: this.port.queuePrefix,
        concurrency: Math.max(1, this.free()),
        // Postgres, not BullMQ, owns a claimed attempt: a worker that dies mid-node is found by its liveness lock.
        // What BullMQ's stalled-job check finds is a job taken by a worker that died before claiming it: its lock
        // lapses after lockDuration and a check of any live worker (every stalledInterval) puts it back, so it runs
        // again within ~2 s instead of the 30 s default lock (BullMQ WorkerOptions.lockDuration, stalledInterval).
        // A job whose lock a busy event loop let lapse looks stalled too and is delivered again; the claim lets one
        // taker have the attempt, so a few stalls are harmless before BullMQ fails the job (maxStalledCount).
        lockDuration: QUEUE_LOCK_MS,
        stalledInterval: QUEUE_STALLED_CHECK_MS,
        maxStalledCount: 5,
      }),
    };
    const { logger } = this.port;
    // After Redis lost keys (a flush, a failover) BullMQ complains about jobs it can no longer find; nothing is
    // wrong — Postgres holds every attempt and the reconciler queues again what Redis lost — so that is debug.
    const levelOf = (error: Error) => (REDIS_LOSS.test(error.message) ? 'debug' : 'error');
    consumer.worker.on('error', (error) => logger?.[levelOf(error)]({ err: error, queue: name }, 'node worker error'));
    // A job fails only on infrastructure errors (Postgres down mid-claim); the node row is untouched or leased, and the reconciler owns it.
    consumer.worker.on('failed', (job, error) =>
      logger?.[levelOf(error)](
        { err: error, job: job?.id, ...(job ? describeJob(job.data) : {}) },
        'node job failed',
      ),
    );
    this.consumers.set(name, consumer);
    return consumer;
  }

  /**
   * Runs a job's attempts, each in a slot; the job stays active until they
   * end, so BullMQ counts the slots it takes. Of a batch, only as many run
   * here as slots are free (one at least, as a single job): the rest is
   * queued again first, for any worker, so a worker never runs more than its
   * concurrency (give or take one) and a batch spreads over the fleet.
   */
  private async take(consumer: Consumer, job: Job<NodeJobData>): Promise<void> {
    const all = attemptsOf(job.data);
    const fits = Math.max(1, Math.min(all.length, this.free()));
    if (fits < all.length) await this.port.requeueBatch(consumer.worker.name, all.slice(fits), job.timestamp);
    const attempts = fits < all.length ? all.slice(0, fits) : all;
    consumer.jobs++;
    consumer.active += attempts.length;
    this.fit();
    try {
      const dueAt = job.timestamp + job.delay;
      await Promise.all(attempts.map((attempt) => this.run(attempt, dueAt)));
    } finally {
      consumer.jobs--;
      consumer.active -= attempts.length;
      this.fit();
    }
  }

  /** What the consumers may take more, together. */
  private free(): number {
    let active = 0;
    for (const consumer of this.consumers.values()) active += consumer.active;
    return this.share - active;
  }

  private fit(): void {
    const free = this.free();
    const more = free > 0 ? Math.ceil(free / NODE_BATCH_MAX) : 0;
    for (const consumer of this.consumers.values()) consumer.worker.concurrency = Math.max(1, consumer.jobs + more);
  }
}

/** A failed job's attempt for the log, or how many a batch carried. */
function describeJob(data: NodeJobData): Record<string, unknown> {
  const attempts = attemptsOf(data);
  if (attempts.length > 1) return { attempts: attempts.length, runId: uuidToShortId(attempts[0]!.runId) };
  const [{ runId, node, attempt }] = attempts as [NodeAttempt];
  return { runId: uuidToShortId(runId), node, attempt };
}
