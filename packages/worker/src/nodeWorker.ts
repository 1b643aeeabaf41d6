import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { newLeaseOwner, uuidToShortId, type Engine, type NodeJobData, type RegisteredWorker, type WorkerPort } from '@flowline/engine';
import { AbortReason } from './attemptAbort.ts';
import { AttemptRunner } from './attemptRunner.ts';
import { LeaseHeartbeat } from './leaseHeartbeat.ts';
import { LocalLane } from './localLane.ts';
import { RunningAttempts } from './runningAttempts.ts';

/** How a worker runs: its slots, its Redis connections, its lease and drain times, its local lane's size. */
export interface NodeWorkerOptions {
  /** how many attempts run here at once, from the queue and the local lane together */
  readonly concurrency: number;
  /** a fresh connection for BullMQ's blocking reads */
  readonly connection: Redis;
  /** a fresh connection for the abort channel subscription */
  readonly subscriber: Redis;
  /** how long a SIGTERM waits for running handlers before leaving them to the reconciler */
  readonly drainMs?: number;
  /** how long a claimed node is this worker's without a heartbeat (Config.leaseMs); renewed every third of it */
  readonly leaseMs?: number;
  /** how many attempts made READY in this process may wait here for a slot instead of going through Redis (Config.workerLocalQueue) */
  readonly localQueueSize?: number;
  /** the fleet's reconcile interval (Config.reconcileMs): see LocalLaneOptions.reconcileMs */
  readonly reconcileMs?: number;
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_LOCAL_QUEUE_SIZE = 10_000;
/** Config.reconcileMs's default. */
const DEFAULT_RECONCILE_MS = 5_000;
const DEFAULT_DRAIN_MS = 10_000;
/** How long a queue job taken by a worker is its own before BullMQ's stalled-job check may hand it to another. */
const QUEUE_LOCK_MS = 1_500;
const QUEUE_STALLED_CHECK_MS = 500;
/** What BullMQ says of a job whose keys Redis no longer holds, or whose lock lapsed: the attempt is Postgres's, unharmed. */
const REDIS_LOSS = /Missing (key|lock) for job|stalled more than allowable limit/;

/** The parts of a started worker. */
interface Started {
  readonly port: WorkerPort;
  readonly liveness: { release(): void };
  readonly queue: Worker<NodeJobData>;
  readonly lane: LocalLane;
  readonly runner: AttemptRunner;
  readonly running: RunningAttempts;
  readonly heartbeat: LeaseHeartbeat;
  readonly registration: RegisteredWorker;
}

/**
 * A worker: takes node jobs from the queue and, when it shares its engine's
 * process, the attempts that engine makes runnable (LocalLane); claims each,
 * runs its handler (AttemptRunner) under a heartbeated lease (LeaseHeartbeat)
 * and reports the outcome. It reaches the engine only through its WorkerPort.
 */
export class NodeWorker {
  private started: Started | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly options: NodeWorkerOptions,
  ) {}

  async start(): Promise<void> {
    const { options } = this;
    const port = this.engine.workerPort({ owner: newLeaseOwner('worker'), ms: options.leaseMs ?? DEFAULT_LEASE_MS });
    // Held before anything is claimed: every lease of this worker has a lock whose loss tells others it died.
    const liveness = await port.holdLiveness();
    const running = new RunningAttempts();
    // The runner and the lane call each other: the lane runs attempts, the runner has it claim those it started unclaimed.
    const runner: AttemptRunner = new AttemptRunner(port, running, (attempt): Promise<boolean> => lane.claimBeforeReport(attempt));
    const lane: LocalLane = new LocalLane(
      port,
      runner,
      running,
      { concurrency: options.concurrency, localQueueSize: options.localQueueSize ?? DEFAULT_LOCAL_QUEUE_SIZE, reconcileMs: options.reconcileMs ?? DEFAULT_RECONCILE_MS },
      // The queue's share of the slots, once it is consuming.
      (slots) => {
        if (this.started) this.started.queue.concurrency = slots;
      },
    );
    await port.subscribeAborts(options.subscriber, (target) => {
      if ('readyBefore' in target) lane.withdraw(target.runId, target.readyBefore);
      else running.abort(target, AbortReason.CANCEL);
    });
    const queue = new Worker<NodeJobData>(port.queue.name, (job: Job<NodeJobData>) => lane.runQueued(job.data, job.timestamp + job.delay), {
      connection: options.connection,
      prefix: port.queue.prefix,
      concurrency: options.concurrency,
      // Postgres, not BullMQ, owns a claimed attempt: a worker that dies mid-node is found by its liveness lock.
      // What BullMQ's stalled-job check finds is a job taken by a worker that died before claiming it: its lock
      // lapses after lockDuration and a check of any live worker (every stalledInterval) puts it back, so it runs
      // again within ~2 s instead of the 30 s default lock (BullMQ WorkerOptions.lockDuration, stalledInterval).
      // A job whose lock a busy event loop let lapse looks stalled too and is delivered again; the claim lets one
      // taker have the attempt, so a few stalls are harmless before BullMQ fails the job (maxStalledCount).
      lockDuration: QUEUE_LOCK_MS,
      stalledInterval: QUEUE_STALLED_CHECK_MS,
      maxStalledCount: 5,
    });
    // After Redis lost keys (a flush, a failover) BullMQ complains about jobs it can no longer find; nothing is
    // wrong — Postgres holds every attempt and the reconciler queues again what Redis lost — so that is debug.
    const levelOf = (error: Error) => (REDIS_LOSS.test(error.message) ? 'debug' : 'error');
    queue.on('error', (error) => port.logger?.[levelOf(error)]({ err: error }, 'node worker error'));
    // A job fails only on infrastructure errors (Postgres down mid-claim); the node row is untouched or leased, and the reconciler owns it.
    queue.on('failed', (job, error) =>
      port.logger?.[levelOf(error)](
        { err: error, job: job?.id, ...(job ? { runId: uuidToShortId(job.data.runId), node: job.data.node, attempt: job.data.attempt } : {}) },
        'node job failed',
      ),
    );
    await queue.waitUntilReady();
    port.runLocally(lane);
    const heartbeat = new LeaseHeartbeat(port, running);
    heartbeat.start();
    // Serving now: the fleet (GET /v1/handlers) lists this worker under every handler type its engine runs.
    const registration = await this.engine.registerWorker({ id: port.lease.owner, leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS });
    this.started = { port, liveness, queue, lane, runner, running, heartbeat, registration };
  }

  /**
   * Stops taking jobs and waits up to `drainMs` for running handlers, still
   * heartbeating; after that they are aborted and their leases released, so
   * the reconciler retries them at once instead of after a lease.
   */
  async close(): Promise<void> {
    if (!this.started) return;
    const { port, liveness, queue, lane, runner, running, heartbeat, registration } = this.started;
    // No longer listed as serving anything: it takes no new work from here on.
    await registration.stop().catch((error: unknown) => port.logger?.warn({ err: error }, 'worker not deregistered; it stops counting as live a lease after its last heartbeat'));
    port.runLocally(undefined);
    // What waits locally goes to the shared queue, for other workers to run now; what was handed to this lane is released first.
    const waiting = lane.close();
    await port
      .releaseHanded(waiting.filter((attempt) => attempt.handed))
      .then(() => port.requeue(waiting))
      .catch((error: unknown) => port.logger?.warn({ err: error }, 'local queue not handed to Redis; the reconciler will queue its attempts'));
    const drained = Promise.all([queue.close(), lane.drained()]);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), this.options.drainMs ?? DEFAULT_DRAIN_MS).unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') {
      running.abortAll(AbortReason.SHUTDOWN);
      await queue.close(true);
      await lane.drained();
    }
    heartbeat.stop();
    lane.stop();
    await runner.settled();
    const released = await port.release().catch((error: unknown) => {
      port.logger?.warn({ err: error }, 'leases not released; they will expire');
      return 0;
    });
    if (released > 0) port.logger?.info({ released }, 'leases of unfinished nodes released');
    // Last: its loss tells every death watch that what this worker still held is to be re-run now.
    liveness.release();
    await this.options.subscriber.quit().catch(() => {});
  }
}
