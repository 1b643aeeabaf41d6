import type { RedisConnection } from '../queue/redisConnection.ts';
import type { Logger } from 'pino';
import type { Command, RunEvent } from '../core/runState.ts';
import type { NodeSpec } from '../core/spec.ts';
import type { ChildRunRequest } from '../handlers/childRunRequest.ts';
import type { NodeHandler } from '../handlers/nodeHandler.ts';
import type { FlowlineMetrics } from '../metrics/flowlineMetrics.ts';
import type { AbortTarget } from '../queue/abortChannel.ts';
import type { NodeDispatch } from '../queue/nodeQueue.ts';
import type { NodeAttempt } from '../storage/nodeAttempt.ts';
import type { RenewedLease } from '../storage/renewLeases.ts';
import type { ClaimedAttempt } from './claimedAttempt.ts';
import type { RunDefinitionRef } from './decisionState.ts';
import type { LocalLane } from './localLane.ts';
import type { AttemptToClaim, WorkerLease } from './systems/claimSystem.ts';

/**
 * Everything a worker asks of the engine, and the only way it reaches it: a
 * worker claims attempts, renews and releases its leases, and reports how
 * each attempt ended; it never touches Postgres or the queue itself. One per
 * worker, bound to its lease (`Engine.workerPort`).
 */
export interface WorkerPort {
  /** the lease this worker's claims are written under */
  readonly lease: WorkerLease;
  /** BullMQ's key prefix of the installation's queues */
  readonly queuePrefix: string;
  /** The queues of node jobs this worker is to consume: those of the handler types its process runs (see nodeRouting.ts). */
  servedQueues(): string[];
  /** Calls `listener` when its process starts running a new handler type (a workflow registered later); answers how to stop. */
  onNewQueue(listener: () => void): () => void;
  readonly logger: Logger | undefined;
  readonly metrics: FlowlineMetrics;
  now(): Date;
  /** The handler that runs a node of this spec here, if this process has one. */
  handlerFor(spec: NodeSpec): NodeHandler | undefined;
  /** Claims an attempt to run (READY → RUNNING under the lease): its facts, or undefined when it is not claimable (a stale job). */
  claim(attempt: AttemptToClaim): Promise<ClaimedAttempt | undefined>;
  /** Claims an attempt started before its claim: whether it is this worker's now. */
  claimStarted(attempt: NodeAttempt): Promise<boolean>;
  /** Extends the leases of these running attempts; an attempt missing from the answer was taken over. */
  renew(attempts: readonly NodeAttempt[]): Promise<RenewedLease[]>;
  /** Gives up every lease this worker holds (it is stopping): the reconciler retries them at once. */
  release(): Promise<number>;
  /** Reports how an attempt ended; answers, once the decision has committed, the commands it decided (none: the report no longer counted). */
  report(runId: string, event: RunEvent, definition: RunDefinitionRef): Promise<readonly Command[]>;
  /**
   * Reports an attempt whose handler returned `ctx.startChild(…)`: the child
   * run is started and the node's lease released; it ends as the child does.
   * Answers the commands decided, as `report` does.
   */
  awaitChild(attempt: NodeAttempt & { readonly leaseOwner: string }, child: ChildRunRequest): Promise<readonly Command[]>;
  /** Releases attempts handed to this worker's lane that it gives back (see SlotReservation.queued) before they are queued for every worker. */
  releaseHanded(attempts: readonly NodeAttempt[]): Promise<void>;
  /** Queues attempts in Redis for every worker (what a stopping worker's local queue held). */
  requeue(attempts: readonly NodeDispatch[]): Promise<void>;
  /** Queues again, as one job, the attempts of a batch job that did not fit the slots free here; `since` is when that job was added. */
  requeueBatch(queue: string, attempts: readonly NodeAttempt[], since: number): Promise<void>;
  /** Subscribes a dedicated connection to cancel requests and withdrawals. */
  subscribeAborts(subscriber: RedisConnection, onAbort: (target: AbortTarget) => void): Promise<void>;
  /**
   * Takes this worker's liveness lock (see storage/workerLiveness.ts), held
   * until released: while it holds, other processes know the worker lives; the
   * moment the process dies, they re-run its attempts. Settles once held.
   */
  holdLiveness(): Promise<{ release(): void }>;
  /** Lets the engine hand this worker what it makes runnable without Redis (see LocalLane); `undefined` stops it. */
  runLocally(lane: LocalLane | undefined): void;
}
