import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  COMPLETED,
  GroupCommit,
  QueueName,
  attemptKey,
  bullPrefix,
  claimNodes,
  endNodeSpan,
  isRetryableTransactionError,
  loadNodeOutputs,
  newLeaseOwner,
  releaseLeases,
  renewLeases,
  resultText,
  startNodeSpan,
  subscribeAborts,
  uuidToShortId,
  type ClaimRequest,
  type ClaimedAttempt,
  type NodeAttempt,
  type RunDefinitionRef,
  type ClaimedNode,
  type Dag,
  type Engine,
  type NodeDispatch,
  type NodeJobData,
  type RunEvent,
} from '@flowline/engine';
import { AttemptAbort } from './attemptAbort.ts';
import { AttemptContext } from './attemptContext.ts';

export interface NodeWorkerOptions {
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
  /**
   * The fleet's reconcile interval (Config.reconcileMs). The reconciler queues
   * for every worker a node READY for longer than that, so an attempt released
   * here less than half of it ago has no other taker: it may run before its
   * claim is written (see DEFERRED_CLAIM_MS).
   */
  readonly reconcileMs?: number;
}

/** An attempt to claim: a queue job's address, or a local attempt naming its parents or carrying their outputs. */
type AttemptToClaim = ClaimRequest & Pick<NodeDispatch, 'parentOutputs'>;

/** An attempt whose handler runs here, and how it is held (see NodeWorker.running). */
interface RunningAttempt {
  readonly attempt: NodeJobData;
  readonly abort: AttemptAbort;
  claim: 'claimed' | 'unclaimed' | Promise<boolean>;
}

/**
 * How many local attempts start before the event loop gets a turn. Handlers
 * that settle at once chain one attempt into the next as microtasks, which
 * run before any I/O: a 10,000-wide fan-out ran every handler before the
 * first answer of the success writes was even read, so the writes ran after
 * the handlers instead of beside them.
 */
const LOCAL_BURST = 64;

/** Config.reconcileMs's default. */
const DEFAULT_RECONCILE_MS = 5_000;
/**
 * How long an attempt runs unclaimed before its claim is written: a handler
 * that ends sooner is written READY → SUCCESS in its success's write alone
 * (one row write instead of two); a longer one shows RUNNING this much later.
 */
const DEFERRED_CLAIM_MS = 20;

/** Why a handler's signal was aborted. */
const AbortReason = {
  CANCEL: 'cancel',
  TIMEOUT: 'timeout',
  /** the reconciler took the node over: another attempt owns its fate, nothing is reported */
  LEASE_LOST: 'lease-lost',
  /** the worker is stopping: the lease is released and the node retried elsewhere */
  SHUTDOWN: 'shutdown',
} as const;
type AbortReason = (typeof AbortReason)[keyof typeof AbortReason];

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_LOCAL_QUEUE_SIZE = 10_000;

/** How often a claim batch that hit a deadlock or serialization failure is tried again before its jobs fail to the reconciler. */
const CLAIM_ATTEMPTS = 3;

/**
 * Runs node jobs: claim the attempt in Postgres (READY → RUNNING), run its
 * handler with an AbortSignal wired to cancel and timeout, then report the
 * outcome as an event to the engine, which decides what runs next.
 */
export class NodeWorker {
  private worker: Worker<NodeJobData> | undefined;
  /**
   * Attempts whose handlers run here. `claim` is how the attempt is held: claimed (RUNNING under this
   * worker's lease), or run before its claim (see runLocalQueue): 'unclaimed' until the deferred claim
   * is written, then that write's answer (whether the row was still READY and is now this worker's).
   */
  private readonly running = new Map<string, RunningAttempt>();
  /** Local attempts started since the event loop last had a turn, and the turn that starts more (see LOCAL_BURST). */
  private startedInTurn = 0;
  private nextTurn: NodeJS.Immediate | undefined;
  /** Whether a deferred claim of the attempts running unclaimed is due (see claimUnclaimed). */
  private deferredClaim: NodeJS.Timeout | undefined;
  private readonly leaseOwner = newLeaseOwner('worker');
  private heartbeat: NodeJS.Timeout | undefined;
  /** Attempts this worker is running now, from the queue and from the local lane, and slots held for claims being written. */
  private held = 0;
  /** Slots held for nodes the engine is claiming for this worker as it releases them (see holdSlots). */
  private heldForClaims = 0;
  /** Local-lane attempts waiting for a slot (see takeLocally). */
  private readonly localQueue: NodeDispatch[] = [];
  private readonly localRuns = new Set<Promise<void>>();
  private closing = false;
  /** Reports of finished attempts whose decision has not committed yet; a stopping worker waits for them. */
  private readonly reports = new Set<Promise<void>>();
  /** Jobs fetched while a claim is being written are claimed together next (group commit). */
  private readonly claims = new GroupCommit<AttemptToClaim, ClaimedAttempt | undefined>((attempts) => this.claimBatch(attempts));

  constructor(
    private readonly engine: Engine,
    private readonly options: NodeWorkerOptions,
  ) {}

  async start(): Promise<void> {
    await subscribeAborts(this.options.subscriber, this.engine.queuePrefix, (target) => {
      if ('readyBefore' in target) this.withdraw(target.runId, target.readyBefore);
      else this.running.get(attemptKey(target))?.abort.abort(AbortReason.CANCEL);
    });
    this.worker = new Worker<NodeJobData>(QueueName.NODES, (job) => this.process(job), {
      connection: this.options.connection,
      prefix: bullPrefix(this.engine.queuePrefix),
      concurrency: this.options.concurrency,
      // Postgres leases, not BullMQ's stall detection, decide whether a node is
      // abandoned; a stalled job is re-delivered at most once and the claim drops it.
      maxStalledCount: 1,
    });
    this.worker.on('error', (error) => this.engine.logger?.error({ err: error }, 'node worker error'));
    // A job fails only on infrastructure errors (Postgres down mid-claim); the node row is untouched or leased, and the reconciler owns it.
    this.worker.on('failed', (job, error) => this.engine.logger?.error(
        { err: error, job: job?.id, ...(job ? { runId: uuidToShortId(job.data.runId), node: job.data.node, attempt: job.data.attempt } : {}) },
        'node job failed',
      ));
    await this.worker.waitUntilReady();
    this.engine.runLocally({
      leaseOwner: this.leaseOwner,
      leaseMs: this.leaseMs,
      reserve: (count) => this.holdSlots(count),
      runClaimed: (claims, unused) => this.runClaimed(claims, unused),
      take: (attempts) => this.takeLocally(attempts),
    });
    this.heartbeat = setInterval(() => void this.renewLeases(), this.leaseMs / 3);
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /**
   * The heartbeat: one UPDATE renews every lease this worker holds. It also
   * carries news back: a node whose lease was not renewed was taken over and is
   * stopped here; one whose run asks to cancel is aborted (the pub/sub abort
   * may have been lost with Redis).
   */
  private async renewLeases(): Promise<void> {
    const held = [...this.running.values()].filter((running) => running.claim === 'claimed');
    if (held.length === 0) return;
    const renewed = await renewLeases(this.engine.db.pool, {
      leaseOwner: this.leaseOwner,
      leaseMs: this.leaseMs,
      now: this.engine.now(),
      attempts: held.map((h) => h.attempt),
    }).catch((error: unknown) => {
      this.engine.logger?.warn({ err: error }, 'lease renewal failed; retrying at the next heartbeat');
      return undefined;
    });
    if (!renewed) return;
    const leases = new Map(renewed.map((lease) => [attemptKey(lease), lease]));
    // Only the attempts sent are judged: one claimed while the UPDATE ran is not in its answer yet.
    for (const { attempt, abort } of held) {
      const lease = leases.get(attemptKey(attempt));
      if (!lease) abort.abort(AbortReason.LEASE_LOST);
      else if (lease.cancelRequested) abort.abort(AbortReason.CANCEL);
    }
  }

  /** A job from the queue: the attempt it names, waiting since the job became due. */
  private async process(job: Job<NodeJobData>): Promise<void> {
    this.held++;
    try {
      await this.runAttempt(job.data, job.timestamp + job.delay);
    } finally {
      this.held--;
      // the slot may be the one a local attempt waits for
      this.runLocalQueue();
    }
  }

  /**
   * The local lane: attempts this process's engine has just made READY are
   * run here without a queue round trip — at once while slots are free, the
   * rest from a local queue of up to `localQueueSize` as slots free up; only
   * what does not fit is queued in Redis for every worker. The READY row is
   * what makes this safe: an attempt lost with this process (or waiting here
   * longer than a reconciler pass) is found READY with no job and queued, and
   * the claim lets only one taker run it. While local attempts wait or run,
   * the queue is asked for that many fewer jobs, so the worker stays near its
   * concurrency and works through what it made runnable first.
   */
  private takeLocally(attempts: readonly NodeDispatch[]): readonly NodeDispatch[] {
    if (this.closing) return attempts;
    const room = Math.max(0, this.options.concurrency - this.held) + Math.max(0, this.localQueueSize - this.localQueue.length);
    this.localQueue.push(...attempts.slice(0, room));
    this.runLocalQueue();
    return attempts.slice(room);
  }

  /**
   * Holds free slots for nodes the engine claims for this worker in the very
   * write that releases them (see LocalLane): a chain's next step then runs
   * without a claim of its own. Only slots free now are held, and only while
   * nothing waits in the local queue, which is served first.
   */
  private holdSlots(count: number): number {
    if (this.closing || this.localQueue.length > 0) return 0;
    const held = Math.min(count, Math.max(0, this.options.concurrency - this.held));
    this.held += held;
    this.heldForClaims += held;
    this.fitQueueConcurrency();
    return held;
  }

  /**
   * Runs the attempts claimed into held slots; slots held for nothing are
   * freed. A stopping worker runs none: their leases are released with the
   * rest when it stops (close waits for the decisions that claimed them), so
   * the reconciler retries them at once.
   */
  private runClaimed(claims: readonly ClaimedAttempt[], unused: number): void {
    const run = this.closing ? [] : claims;
    this.heldForClaims -= claims.length + unused;
    this.held -= claims.length + unused - run.length;
    for (const claim of run) {
      const { runId, name: node, attempt } = claim.claimed;
      this.runInSlot({ runId, node, attempt }, () => this.execute(claim, Date.now()));
    }
    this.runLocalQueue();
  }

  /**
   * Starts local attempts while slots are free: one released a moment ago,
   * whose facts its release answered, runs at once and is claimed only if it
   * is still running a moment later (see NodeWorkerOptions.reconcileMs, DEFERRED_CLAIM_MS).
   */
  private runLocalQueue(): void {
    const now = Date.now();
    while (this.localQueue.length > 0 && this.held < this.options.concurrency && !this.closing) {
      // The first start of a turn books the next turn, where the count starts again and what is left goes on.
      this.nextTurn ??= setImmediate(() => {
        this.nextTurn = undefined;
        this.startedInTurn = 0;
        this.runLocalQueue();
      });
      if (this.startedInTurn >= LOCAL_BURST) break;
      this.startedInTurn++;
      const attempt = this.localQueue.shift()!;
      this.held++;
      const dueAt = attempt.runAt.getTime();
      const { unclaimed } = attempt;
      if (unclaimed && now - dueAt < this.unclaimedStartMs) this.runInSlot(attempt, () => this.execute(unclaimed, dueAt, 'unclaimed'));
      else this.runInSlot(attempt, () => this.runAttempt(attempt, dueAt));
    }
    this.fitQueueConcurrency();
  }

  /** Runs a local attempt in a slot already counted in `held`, and frees the slot after. */
  private runInSlot(attempt: NodeAttempt, work: () => Promise<void>): void {
    // One then, not catch and finally: a 10,000-wide fan-out makes 10,000 of these chains.
    const run: Promise<void> = work().then(
      () => this.slotFreed(run),
      (error: unknown) => {
        this.engine.logger?.error({ err: error, runId: uuidToShortId(attempt.runId), node: attempt.node }, 'local node attempt failed; the reconciler will retry it');
        this.slotFreed(run);
      },
    );
    this.localRuns.add(run);
  }

  /** A local attempt ended, however: its slot goes to what waits in the local queue. */
  private slotFreed(run: Promise<void>): void {
    this.held--;
    this.localRuns.delete(run);
    this.runLocalQueue();
  }

  /** How long after its release a local attempt may still run before its claim (see NodeWorkerOptions.reconcileMs). */
  private get unclaimedStartMs(): number {
    return (this.options.reconcileMs ?? DEFAULT_RECONCILE_MS) / 2;
  }

  private get localQueueSize(): number {
    return this.options.localQueueSize ?? DEFAULT_LOCAL_QUEUE_SIZE;
  }

  private fitQueueConcurrency(): void {
    // local attempts, waiting or running, take the queue's share of the slots
    if (this.worker) this.worker.concurrency = Math.max(1, this.options.concurrency - this.localQueue.length - this.localRuns.size - this.heldForClaims);
  }

  /** Claims an attempt (a queue job's, or a local one naming its parents), runs its handler and reports the outcome. */
  private async runAttempt(attemptData: AttemptToClaim, dueAt: number): Promise<void> {
    const claim = await this.claims.submit(attemptData);
    if (!claim) {
      this.engine.logger?.debug({ runId: uuidToShortId(attemptData.runId), node: attemptData.node, attempt: attemptData.attempt }, 'stale node job dropped');
      return;
    }
    await this.execute(claim, dueAt);
  }

  /** Runs an attempt's handler — claimed, or to claim later — and reports the outcome. */
  private async execute({ claimed, dag, parents }: ClaimedAttempt, dueAt: number, claim: 'claimed' | 'unclaimed' = 'claimed'): Promise<void> {
    const { runId, name: node, attempt } = claimed;
    const attemptData: NodeAttempt = { runId, node, attempt };
    const log = this.engine.logger?.child({ runId: uuidToShortId(runId), node, attempt });
    this.engine.metrics.nodeQueueWait.observe({ workflow: claimed.workflowName }, Math.max(0, Date.now() - dueAt) / 1000);
    const spec = dag.nodes.get(node)!;

    const abort = new AttemptAbort();
    const key = attemptKey(attemptData);
    const running: RunningAttempt = { attempt: attemptData, abort, claim };
    this.running.set(key, running);
    if (claim === 'unclaimed') this.deferredClaim ??= setTimeout(() => this.claimUnclaimed(), DEFERRED_CLAIM_MS);
    const started = claim === 'unclaimed' ? this.engine.now() : undefined;
    if (claimed.cancelRequested) abort.abort(AbortReason.CANCEL);
    const timer =
      spec.timeoutMs === undefined ? undefined : setTimeout(() => abort.abort(AbortReason.TIMEOUT), spec.timeoutMs);
    const lines: string[] = [];
    const span = startNodeSpan({ uuid: runId, traceId: claimed.traceId, workflow: claimed.workflowName }, node, attempt);
    const handlerStart = performance.now();
    const context = new AttemptContext(claimed, parents, abort, lines);

    let event: RunEvent | undefined;
    try {
      const handler = this.engine.registry.resolve(spec);
      if (!handler) {
        const error = `no handler for node type ${spec.type}${spec.handler ? ` (${spec.handler})` : ''} on this worker`;
        event = { type: 'NODE_FAILED', node, attempt, leaseOwner: this.leaseOwner, failure: 'INTERNAL_ERROR', outcome: { error, result: resultText([error], '') } };
      } else {
        const output = await abort.race(handler(context));
        event = {
          type: 'NODE_SUCCEEDED',
          node,
          attempt,
          leaseOwner: this.leaseOwner,
          outcome: { output: output ?? null, result: resultText(lines, COMPLETED) },
        };
      }
    } catch (error) {
      event = failureEvent({ node, attempt, leaseOwner: this.leaseOwner }, abort, error, lines, spec.timeoutMs);
    } finally {
      clearTimeout(timer);
      this.running.delete(key);
    }
    // An attempt run unclaimed reports its success as such; anything else is reported by its claim's holder.
    if (event && running.claim !== 'claimed') {
      if (running.claim === 'unclaimed' && event.type === 'NODE_SUCCEEDED') event = { ...event, unclaimedStart: started! };
      else if (!(await (running.claim === 'unclaimed' ? this.claimNow([running])[0]! : running.claim))) event = undefined;
    }
    if (!event) {
      span.end();
      log?.info({ reason: abort.reason }, 'node left to the reconciler');
      return;
    }
    endNodeSpan(span, event);
    this.engine.metrics.observeNode(claimed.workflowName, event, (performance.now() - handlerStart) / 1000);
    log?.info({ event: event.type }, 'node finished');
    this.report(runId, event, claimed, log);
  }

  /**
   * The deferred claim: attempts still running unclaimed are claimed now, in
   * one statement. One whose row is no longer READY on its attempt (its run
   * was cancelled, or another worker took it) is aborted and reports nothing.
   */
  private claimUnclaimed(): void {
    this.deferredClaim = undefined;
    const unclaimed = [...this.running.values()].filter((running) => running.claim === 'unclaimed');
    if (unclaimed.length > 0) this.claimNow(unclaimed);
  }

  /**
   * A run's attempts READY before `readyBefore` were moved off READY
   * (cancelled, suspended, skipped): those waiting here to run unclaimed are
   * dropped, and those running unclaimed are claimed at once, which stops the
   * ones no longer READY.
   */
  private withdraw(runId: string, readyBefore: number): void {
    const withdrawn = (attempt: NodeDispatch) => attempt.runId === runId && attempt.unclaimed !== undefined && attempt.runAt.getTime() <= readyBefore;
    let kept = 0;
    for (const attempt of this.localQueue) if (!withdrawn(attempt)) this.localQueue[kept++] = attempt;
    this.localQueue.length = kept;
    const running = [...this.running.values()].filter((r) => r.attempt.runId === runId && r.claim === 'unclaimed');
    if (running.length > 0) this.claimNow(running);
    this.fitQueueConcurrency();
  }

  /** Claims attempts that ran unclaimed; answers, per attempt, whether it is this worker's now. */
  private claimNow(attempts: readonly RunningAttempt[]): Promise<boolean>[] {
    const written = claimNodes(this.engine.db.prepared, {
      attempts: attempts.map((running) => running.attempt),
      leaseOwner: this.leaseOwner,
      leaseMs: this.leaseMs,
      now: this.engine.now(),
    }).catch((error: unknown) => {
      this.engine.logger?.warn({ err: error }, 'deferred claim not written; its attempts are left to the reconciler');
      return new Map<string, ClaimedNode>();
    });
    return attempts.map((running) => {
      running.claim = written.then((claimed) => {
        const held = claimed.has(attemptKey(running.attempt));
        running.claim = held ? 'claimed' : running.claim;
        if (!held) {
          // The run moved on without this worker hearing of it (a withdrawal not received yet, or
          // another taker): what waits here of the run is claimed before it runs.
          this.claimFirst(running.attempt.runId);
          running.abort.abort(AbortReason.LEASE_LOST);
        }
        return held;
      });
      return running.claim;
    });
  }

  /** The run's attempts waiting here run only once claimed, however fresh. */
  private claimFirst(runId: string): void {
    this.localQueue.forEach((attempt, i) => {
      if (attempt.runId === runId && attempt.unclaimed) this.localQueue[i] = { ...attempt, unclaimed: undefined };
    });
  }

  /**
   * Hands a finished attempt's report to the engine without holding the job's
   * slot while the decision commits: the slot takes the next job while the
   * report waits for its group commit, so a worker keeps `concurrency` handlers
   * running instead of idling through commit latency. Postgres, not the BullMQ
   * job, records the outcome: a report lost with this process leaves the node
   * RUNNING under a lease nobody renews, which the reconciler retries.
   */
  private report(runId: string, event: RunEvent, definition: RunDefinitionRef, log: Engine['logger']): void {
    const reported: Promise<void> = this.engine.transition(runId, event, { definition }).then(
      () => void this.reports.delete(reported),
      (error: unknown) => {
        this.reports.delete(reported);
        log?.error({ err: error }, 'node report not recorded; the reconciler will retry the attempt when its lease expires');
      },
    );
    this.reports.add(reported);
  }

  /**
   * Claims a batch of attempts in one statement, which also brings back the
   * parents' outputs of those whose dispatch named their parents (the local
   * lane's, unless it had the outputs already); the parents' outputs of the
   * rest (queue jobs, which carry only an address) are read in one more. A
   * job delivered twice in one batch (a stalled job re-delivered) is claimed once.
   */
  private async claimBatch(attempts: readonly AttemptToClaim[]): Promise<PromiseSettledResult<ClaimedAttempt | undefined>[]> {
    const known = new Map(attempts.flatMap((a) => (a.parentOutputs ? [[attemptKey(a), a.parentOutputs] as const] : [])));
    const requests = attempts.map((a): ClaimRequest => (a.parentOutputs ? { runId: a.runId, node: a.node, attempt: a.attempt } : a));
    let claimed!: Map<string, ClaimedNode>;
    for (let attempt = 1; ; attempt++) {
      try {
        claimed = await claimNodes(this.engine.db.prepared, { attempts: requests, leaseOwner: this.leaseOwner, leaseMs: this.leaseMs, now: this.engine.now() });
        break;
      } catch (error) {
        if (!isRetryableTransactionError(error) || attempt >= CLAIM_ATTEMPTS) throw error;
      }
    }
    const dags = new Map<ClaimedNode, Dag>();
    for (const node of claimed.values()) dags.set(node, await this.engine.definitions.dag(node.definitionId, node.definitionVersion));
    const unread = [...dags].filter(([node]) => node.parentOutputs === null && !known.has(attemptKey({ runId: node.runId, node: node.name, attempt: node.attempt })));
    const outputs = await loadNodeOutputs(
      this.engine.db.prepared,
      unread.map(([node, dag]) => ({ runId: node.runId, nodes: dag.parents.get(node.name) ?? [] })),
    );
    const answered = new Set<string>();
    return attempts.map((attempt) => {
      const key = attemptKey(attempt);
      const node = claimed.get(key);
      if (!node || answered.has(key)) return { status: 'fulfilled', value: undefined };
      answered.add(key);
      const dag = dags.get(node)!;
      const read = known.get(key) ?? node.parentOutputs ?? outputs.get(node.runId) ?? {};
      const parents = Object.fromEntries((dag.parents.get(node.name) ?? []).map((p) => [p, read[p] ?? null]));
      return { status: 'fulfilled', value: { claimed: node, dag, parents } };
    });
  }

  /**
   * Stops taking jobs and waits up to `drainMs` for running handlers, still
   * heartbeating; after that they are aborted and their leases released, so
   * the reconciler retries them at once instead of after a lease.
   */
  async close(): Promise<void> {
    if (!this.worker) return;
    this.closing = true;
    this.engine.runLocally(undefined);
    // What waits locally goes to the shared queue, for other workers to run now.
    const waiting = this.localQueue.splice(0);
    await this.engine.nodeQueue.dispatch(waiting).catch((error: unknown) =>
      this.engine.logger?.warn({ err: error }, 'local queue not handed to Redis; the reconciler will queue its attempts'),
    );
    const drained = Promise.all([this.worker.close(), Promise.all(this.localRuns)]);
    const drainMs = this.options.drainMs ?? 10_000;
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), drainMs).unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') {
      for (const { abort } of this.running.values()) abort.abort(AbortReason.SHUTDOWN);
      await this.worker.close(true);
      await Promise.all(this.localRuns);
    }
    clearInterval(this.heartbeat);
    clearTimeout(this.deferredClaim);
    clearImmediate(this.nextTurn);
    await Promise.all(this.reports);
    const released = await releaseLeases(this.engine.db.pool, { leaseOwner: this.leaseOwner, now: this.engine.now() }).catch(
      (error: unknown) => {
        this.engine.logger?.warn({ err: error }, 'leases not released; they will expire');
        return 0;
      },
    );
    if (released > 0) this.engine.logger?.info({ released }, 'leases of unfinished nodes released');
    await this.options.subscriber.quit().catch(() => {});
  }
}

/** The report of a handler that threw or was aborted; none when the node is no longer this worker's to report. */
function failureEvent(
  report: { node: string; attempt: number; leaseOwner: string },
  abort: Pick<AttemptAbort, 'aborted' | 'reason'>,
  error: unknown,
  lines: string[],
  timeoutMs: number | undefined,
): RunEvent | undefined {
  if (abort.aborted && (abort.reason === AbortReason.LEASE_LOST || abort.reason === AbortReason.SHUTDOWN)) return undefined;
  if (abort.aborted && abort.reason === AbortReason.TIMEOUT) {
    const message = `timed out after ${timeoutMs} ms`;
    return { type: 'NODE_FAILED', ...report, failure: 'TIMEOUT', outcome: { error: message, result: resultText([...lines, message], '') } };
  }
  if (abort.aborted) {
    return { type: 'NODE_CANCELED', ...report, outcome: { error: 'cancelled', result: resultText([...lines, 'cancelled'], '') } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'NODE_FAILED', ...report, failure: 'FAIL', outcome: { error: message, result: resultText([...lines, message], '') } };
}
