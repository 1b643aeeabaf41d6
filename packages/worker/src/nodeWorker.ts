import type { RedisConnection } from '@flowline/engine';
import { newLeaseOwner, type Engine, type RegisteredWorker, type WorkerPort } from '@flowline/engine';
import { AbortReason } from './attemptAbort.ts';
import { AttemptRunner } from './attemptRunner.ts';
import { LeaseHeartbeat } from './leaseHeartbeat.ts';
import { LocalLane } from './localLane.ts';
import { QueueConsumers } from './queueConsumers.ts';
import { RunningAttempts } from './runningAttempts.ts';

/** How a worker runs: its slots, its Redis connections, its lease and drain times, its local lane's size. */
export interface NodeWorkerOptions {
  /** how many attempts run here at once, from the queue and the local lane together */
  readonly concurrency: number;
  /** a fresh connection for BullMQ's blocking reads */
  readonly connection: RedisConnection;
  /** a fresh connection for the abort channel subscription */
  readonly subscriber: RedisConnection;
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

/** The parts of a started worker. */
interface Started {
  readonly port: WorkerPort;
  readonly liveness: { release(): void };
  readonly consumers: QueueConsumers;
  /** stops consuming the queues of handlers registered from now on */
  readonly stopWatching: () => void;
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
      // The queues' share of the slots.
      (slots) => consumers.setShare(slots),
    );
    await port.subscribeAborts(options.subscriber, (target) => {
      if ('readyBefore' in target) lane.withdraw(target.runId, target.readyBefore);
      else running.abort(target, AbortReason.CANCEL);
    });
    const consumers: QueueConsumers = new QueueConsumers(port, options.connection, (attempt, dueAt) => lane.runQueued(attempt, dueAt), options.concurrency);
    // Routing: the queues of what its process runs — the built-in types' and each code namespace's — and any
    // registered after it started (a workflow registered later), so that it takes no node it cannot run.
    await consumers.consume(port.servedQueues());
    const stopWatching = port.onNewQueue(() => void consumers.consume(port.servedQueues()));
    port.runLocally(lane);
    const heartbeat = new LeaseHeartbeat(port, running);
    heartbeat.start();
    // Serving now: the fleet (GET /v1/handlers) lists this worker under every handler type its engine runs.
    const registration = await this.engine.registerWorker({ id: port.lease.owner, leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS });
    this.started = { port, liveness, consumers, stopWatching, lane, runner, running, heartbeat, registration };
  }

  /**
   * Stops taking jobs and waits up to `drainMs` for running handlers, still
   * heartbeating; after that they are aborted and their leases released, so
   * the reconciler retries them at once instead of after a lease.
   */
  async close(): Promise<void> {
    if (!this.started) return;
    const { port, liveness, consumers, stopWatching, lane, runner, running, heartbeat, registration } = this.started;
    stopWatching();
    // No longer listed as serving anything: it takes no new work from here on.
    await registration.stop().catch((error: unknown) => port.logger?.warn({ err: error }, 'worker not deregistered; it stops counting as live a lease after its last heartbeat'));
    port.runLocally(undefined);
    // What waits locally goes to the shared queue, for other workers to run now; what was handed to this lane is released first.
    const waiting = lane.close();
    await port
      .releaseHanded(waiting.filter((attempt) => attempt.handed))
      .then(() => port.requeue(waiting))
      .catch((error: unknown) => port.logger?.warn({ err: error }, 'local queue not handed to Redis; the reconciler will queue its attempts'));
    const drained = Promise.all([consumers.close(), lane.drained()]);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), this.options.drainMs ?? DEFAULT_DRAIN_MS).unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') {
      running.abortAll(AbortReason.SHUTDOWN);
      await consumers.close(true);
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
