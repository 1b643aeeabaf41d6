import { isPostgresUnavailable, type ClaimedAttempt, type LocalAttempt, type LocalLane as EngineLane, type NodeAttempt, type SlotReservation, type WorkerPort } from '@flowline/engine';
import { AbortReason } from './attemptAbort.ts';
import type { AttemptRunner } from './attemptRunner.ts';
import type { RunningAttempt, RunningAttempts } from './runningAttempts.ts';

/**
 * # The local lane
 *
 * A worker's slots, and the path by which attempts its own engine makes
 * runnable reach them without a round trip through Redis: the engine of the
 * same process hands the lane what its decisions release and what its starts
 * make due (see the engine's `LocalLane`), and the lane runs it here — at
 * once while slots are free, the rest from a local queue of up to
 * `localQueueSize` as slots free up. What does not fit goes to Redis for
 * every worker. The READY row is what makes this safe: an attempt lost with
 * this process, or waiting here longer than a reconciler pass, is found READY
 * with no job and queued for the fleet, and the claim lets only one taker run it.
 *
 * ## Modes
 *
 * The lane as a whole is in one of two modes:
 *
 * - **OPEN** (from `NodeWorker.start`, which attaches it to the engine): the
 *   engine reserves slots for its releases and hands it due attempts; queue
 *   jobs and local attempts share the `concurrency` slots, and while local
 *   attempts wait or run the BullMQ worker is asked for that many fewer jobs,
 *   so the worker stays near its concurrency and works through what it made
 *   runnable first.
 * - **CLOSING** (from `close`, when the worker stops): detached from the
 *   engine; it reserves and takes nothing more, starts nothing queued, hands
 *   what waits back to the worker for Redis, and lets what runs finish.
 *
 * ## How a local attempt becomes RUNNING (core/claim.ts)
 *
 * 1. **Claimed at release**: `reserve` holds free slots (only while nothing
 *    waits in the local queue, which is served first); the engine claims that
 *    many released nodes for this worker in the decision's own write, and
 *    `fill` runs them in the held slots. A chain's next step so costs no claim.
 * 2. **Claimed when taken**: a queue job (`runQueued`), or a local attempt
 *    without facts or released too long ago, is claimed first, then run.
 * 3. **Started before its claim**: a local attempt whose release answered its
 *    facts, released less than half a reconcile interval ago (no other taker
 *    can have it yet), starts at once. If it is still running
 *    DEFERRED_CLAIM_MS later it is claimed then; if it ends first, its
 *    success is reported as such and written READY → RUNNING → SUCCESS in one
 *    row write. A claim that finds the attempt gone (its run was cancelled,
 *    another taker has it) stops it, and the run's other attempts waiting
 *    here will be claimed before they run.
 *
 * ## Handed attempts
 *
 * `reserve` also promises room of the local queue: as many released nodes as
 * fit are handed to this lane in the decision's write — their rows name it
 * (lease owner, still READY) and their facts come back — so that this lane
 * alone may start them before their claim. Nobody else queues them while its
 * worker lives (the reconciler leaves them; the lane hands back what waited
 * longer than a reconcile interval, releasing the rows first); when its worker
 * dies, every process can tell (its liveness lock is gone) and re-runs them as
 * lost attempts, under a new attempt number, whether or not they had started.
 *
 * ## Withdrawals
 *
 * A decision that moves a run's READY attempts off READY (cancel, suspend,
 * skip) publishes a withdrawal: the lane drops that run's attempts waiting to
 * start before their claim, and claims those running so at once, which stops
 * the ones no longer READY.
 */

/**
 * How many local attempts start before the event loop gets a turn. Handlers
 * that settle at once chain one attempt into the next as microtasks, which
 * run before any I/O: a 10,000-wide fan-out ran every handler before the
 * first answer of the success writes was even read, so the writes ran after
 * the handlers instead of beside them.
 */
const LOCAL_BURST = 64;

/** The first pause before a deferred claim Postgres refused is sent again; it doubles up to CLAIM_MAX_WAIT_MS. */
const CLAIM_FIRST_WAIT_MS = 250;
const CLAIM_MAX_WAIT_MS = 5_000;

/**
 * How long an attempt runs before its claim is written: a handler that ends
 * sooner is written READY → SUCCESS in its success's write alone (one row
 * write instead of two); a longer one shows RUNNING this much later.
 */
const DEFERRED_CLAIM_MS = 20;

export interface LocalLaneOptions {
  readonly concurrency: number;
  /** how many attempts may wait here for a slot instead of going through Redis */
  readonly localQueueSize: number;
  /**
   * The fleet's reconcile interval. The reconciler queues for every worker a
   * node READY for longer than that, so an attempt released here less than
   * half of it ago has no other taker: it may start before its claim.
   */
  readonly reconcileMs: number;
}

export class LocalLane implements EngineLane {
  readonly leaseOwner: string;
  readonly leaseMs: number;
  /** Attempts in progress here — queue jobs and local ones — and slots held for claims being written. */
  private held = 0;
  /** Slots held for nodes the engine is claiming for this worker as it releases them (see reserve). */
  private heldForClaims = 0;
  /** Local attempts waiting for a slot. */
  private readonly localQueue: LocalAttempt[] = [];
  private readonly localRuns = new Set<Promise<void>>();
  /** Local attempts started since the event loop last had a turn, and the turn that starts more (see LOCAL_BURST). */
  private startedInTurn = 0;
  private nextTurn: NodeJS.Immediate | undefined;
  /** Whether a deferred claim of the attempts started before their claim is due. */
  private deferredClaim: NodeJS.Timeout | undefined;
  /** Room of the local queue promised to decisions being written, for the released attempts handed to this lane (see reserve). */
  private queueRoomReserved = 0;
  /** The look for handed attempts that waited here too long, while any wait (see handBackWaiting). */
  private handBack: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly port: WorkerPort,
    private readonly runner: AttemptRunner,
    private readonly running: RunningAttempts,
    private readonly options: LocalLaneOptions,
    /** how many slots the queue may use now: the BullMQ worker's concurrency */
    private readonly onQueueShare: (slots: number) => void,
  ) {
    this.leaseOwner = port.lease.owner;
    this.leaseMs = port.lease.ms;
  }

  // The engine's side (OPEN)

  /**
   * Holds free slots for nodes claimed as they are released — none while
   * anything waits in the local queue, which is served first — and room of
   * the local queue for as many of the rest, handed to this lane in the same
   * write (see "Handed attempts").
   */
  reserve(count: number): SlotReservation {
    const held = this.closing || this.localQueue.length > 0 ? 0 : Math.min(count, Math.max(0, this.options.concurrency - this.held));
    const queued = this.closing ? 0 : Math.min(count - held, this.queueRoom());
    this.held += held;
    this.heldForClaims += held;
    this.queueRoomReserved += queued;
    this.fitQueueShare();
    return {
      held,
      queued,
      fill: (claimed, due) => {
        this.queueRoomReserved -= queued;
        this.runClaimed(claimed, held - claimed.length);
        if (due.length === 0) return due;
        // The attempts handed to this lane first: their room was reserved, and only this lane may start them.
        const handed = due.filter((attempt) => attempt.handed);
        return handed.length === 0 ? this.take(due) : [...this.take(handed), ...this.take(due.filter((attempt) => !attempt.handed))];
      },
      cancel: () => {
        this.queueRoomReserved -= queued;
        this.runClaimed([], held);
      },
    };
  }

  /** Runs or queues due attempts here; answers those that do not fit, for Redis. */
  take(attempts: readonly LocalAttempt[]): readonly LocalAttempt[] {
    if (this.closing) return attempts;
    const room = Math.max(0, this.options.concurrency - this.held) + this.queueRoom();
    this.localQueue.push(...attempts.slice(0, room));
    this.runLocalQueue();
    this.handBack ??= setTimeout(() => void this.handBackWaiting(), this.options.reconcileMs / 2);
    return attempts.slice(room);
  }

  /** Room of the local queue not yet taken or promised. */
  private queueRoom(): number {
    return Math.max(0, this.options.localQueueSize - this.localQueue.length - this.queueRoomReserved);
  }

  /**
   * Hands attempts that waited here longer than a reconcile interval back to
   * the fleet, so a busy worker's backlog runs on idle ones: those handed to
   * this lane are first released (the row no longer names it), then all are
   * queued in Redis. What Postgres refuses to release now waits for the next look.
   */
  private async handBackWaiting(): Promise<void> {
    this.handBack = undefined;
    const waitedSince = Date.now() - this.options.reconcileMs;
    const old = this.localQueue.filter((attempt) => attempt.runAt.getTime() < waitedSince);
    if (old.length > 0 && !this.closing) {
      try {
        await this.port.releaseHanded(old.filter((attempt) => attempt.handed));
        const leaving = new Set(old);
        let kept = 0;
        for (const attempt of this.localQueue) if (!leaving.has(attempt)) this.localQueue[kept++] = attempt;
        this.localQueue.length = kept;
        this.fitQueueShare();
        await this.port.requeue(old);
        this.port.logger?.debug({ count: old.length }, 'attempts that waited in the local lane handed to the fleet');
      } catch (error) {
        this.port.logger?.warn({ err: error }, 'waiting attempts not handed to the fleet yet; trying again');
      }
    }
    if (this.localQueue.length > 0 && !this.closing) this.handBack = setTimeout(() => void this.handBackWaiting(), this.options.reconcileMs / 2);
  }

  // The worker's side

  /**
   * Runs a queue job in a slot: claimed first (ClaimWay.TAKEN). The job stays
   * active until the attempt ends, so BullMQ's own count of active jobs is
   * this worker's slots taken by the queue (ending it at the claim let BullMQ
   * fetch the next job on every completion, past the slots).
   */
  async runQueued(job: NodeAttempt, dueAt: number): Promise<void> {
    this.held++;
    try {
      await this.runner.claimAndRun(job, dueAt);
    } finally {
      this.held--;
      // the slot may be the one a local attempt waits for
      this.runLocalQueue();
    }
  }

  /**
   * A run's attempts READY before `readyBefore` were moved off READY: those
   * waiting here to start before their claim are dropped, and those running
   * so are claimed at once, which stops the ones no longer READY.
   */
  withdraw(runId: string, readyBefore: number): void {
    const withdrawn = (attempt: LocalAttempt) => attempt.runId === runId && attempt.facts !== undefined && attempt.runAt.getTime() <= readyBefore;
    let kept = 0;
    for (const attempt of this.localQueue) if (!withdrawn(attempt)) this.localQueue[kept++] = attempt;
    this.localQueue.length = kept;
    for (const running of this.running.unclaimed(runId)) void this.claimStarted(running);
    this.fitQueueShare();
  }

  /** Claims an attempt started before its claim, before its failure or cancel is reported: whether it is this worker's. */
  claimBeforeReport(running: RunningAttempt): Promise<boolean> {
    return this.claimStarted(running);
  }

  /** Enters CLOSING (the worker has detached the lane from the engine): answers what waited here, for Redis. */
  close(): LocalAttempt[] {
    this.closing = true;
    return this.localQueue.splice(0);
  }

  /** Settles when every local attempt running now has ended. */
  async drained(): Promise<void> {
    await Promise.all(this.localRuns);
  }

  /** Clears the lane's timers, once nothing runs. */
  stop(): void {
    clearTimeout(this.deferredClaim);
    clearTimeout(this.handBack);
    clearImmediate(this.nextTurn);
  }

  /**
   * Runs the attempts claimed into held slots; slots held for nothing are
   * freed. A closing lane runs none: their leases are released with the rest
   * when the worker stops (it waits for the decisions that claimed them), so
   * the reconciler retries them at once.
   */
  private runClaimed(claims: readonly ClaimedAttempt[], unused: number): void {
    const run = this.closing ? [] : claims;
    this.heldForClaims -= claims.length + unused;
    this.held -= claims.length + unused - run.length;
    for (const claim of run) this.runInSlot(claim.claimed.runId, claim.claimed.name, () => this.runner.run(claim, Date.now()));
    this.runLocalQueue();
  }

  /** Starts local attempts while slots are free (see "How a local attempt becomes RUNNING"). */
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
      const { facts } = attempt;
      if (facts && now - dueAt < this.options.reconcileMs / 2) {
        this.deferredClaim ??= setTimeout(() => this.claimDeferred(), DEFERRED_CLAIM_MS);
        this.runInSlot(attempt.runId, attempt.node, () => this.runner.run(facts, dueAt, 'unclaimed'));
      } else {
        this.runInSlot(attempt.runId, attempt.node, () => this.runner.claimAndRun(attempt, dueAt));
      }
    }
    this.fitQueueShare();
  }

  /** Runs a local attempt in a slot already counted in `held`, and frees the slot after. */
  private runInSlot(runId: string, node: string, work: () => Promise<void>): void {
    // One then, not catch and finally: a 10,000-wide fan-out makes 10,000 of these chains.
    const run: Promise<void> = work().then(
      () => this.slotFreed(run),
      (error: unknown) => {
        this.port.logger?.error({ err: error, runId, node }, 'local node attempt failed; the reconciler will retry it');
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

  /** The deferred claim: attempts still running before their claim are claimed now. */
  private claimDeferred(): void {
    this.deferredClaim = undefined;
    for (const running of this.running.unclaimed()) void this.claimStarted(running);
  }

  /**
   * Claims an attempt started before its claim (ClaimWay.AFTER_START). One
   * whose row is no longer READY on its attempt (its run was cancelled,
   * another worker took it) is stopped and reports nothing; the run moved on
   * without this worker hearing of it, so what waits here of the run is
   * claimed before it runs.
   */
  private claimStarted(running: RunningAttempt, waitMs = CLAIM_FIRST_WAIT_MS): Promise<boolean> {
    const claimed = this.port.claimStarted(running.attempt).then(
      (held) => {
        if (held) running.hold = 'claimed';
        else {
          this.claimFirst(running.attempt.runId);
          running.abort.abort(AbortReason.LEASE_LOST);
        }
        return held;
      },
      async (error: unknown): Promise<boolean> => {
        // Postgres refusing for now is no answer: the attempt keeps running (the row still names this lane, so
        // nobody else starts it) and the claim is sent again; stopping it would mean running it twice.
        if (isPostgresUnavailable(error) && !this.closing) {
          this.port.logger?.warn({ err: error, retryInMs: waitMs }, 'deferred claim not written yet: Postgres refused it; trying again, the attempt still running');
          await new Promise((resolve) => setTimeout(resolve, waitMs));
          return this.claimStarted(running, Math.min(CLAIM_MAX_WAIT_MS, waitMs * 2));
        }
        this.port.logger?.warn({ err: error }, 'deferred claim not written; its attempt is stopped and left to the reconciler');
        running.abort.abort(AbortReason.LEASE_LOST);
        return false;
      },
    );
    running.hold = claimed;
    return claimed;
  }

  /** The run's attempts waiting here run only once claimed, however fresh. */
  private claimFirst(runId: string): void {
    this.localQueue.forEach((attempt, i) => {
      if (attempt.runId === runId && attempt.facts) this.localQueue[i] = { ...attempt, facts: undefined };
    });
  }

  private fitQueueShare(): void {
    // local attempts, waiting or running, take the queue's share of the slots
    this.onQueueShare(Math.max(1, this.options.concurrency - this.localQueue.length - this.localRuns.size - this.heldForClaims));
  }
}
