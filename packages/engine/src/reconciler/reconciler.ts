import { uuidToShortId } from '../core/ids.ts';
import { specOf } from '../core/mapElements.ts';
import type { RunEvent } from '../core/runState.ts';
import { systemsOf, type Engine } from '../runtime/engine.ts';
import type { EngineSystems } from '../runtime/engineSystems.ts';
import type { RunPartitions } from '../partitions/runPartitions.ts';
import type { RunRetention } from '../retention/runRetention.ts';
import { newLeaseOwner } from '../runtime/leaseOwner.ts';
import { compactRunCounts } from '../storage/compactRunCounts.ts';
import { listSettleableRuns } from '../storage/listSettleableRuns.ts';
import { queueOf } from '../queue/nodeRouting.ts';
import { listStaleReadyNodes, type StaleReadyNode } from '../storage/listStaleReadyNodes.ts';
import { takeOverAbandonedNodes } from '../storage/takeOverAbandonedNodes.ts';
import { listLiveWorkerKeys } from '../storage/workerLiveness.ts';
import { abandonedNodeEvent } from './abandonedNodeEvent.ts';
import { DeathWatch } from './deathWatch.ts';

/** How often the reconciler passes, and how long it lets a lease run before taking a node over. */
export interface ReconcilerOptions {
  /** time between the end of one pass and the start of the next */
  readonly intervalMs: number;
  /**
   * The workers' lease. Also the grace the reconciler allows past a node's
   * timeout and after a cancel request before acting itself: a live worker
   * acts within a heartbeat, so waiting a lease never races a healthy one.
   */
  readonly leaseMs: number;
  /** how many attempts of a node may be lost to the platform and re-run, apart from its retries (FLOWLINE_MAX_LOST_ATTEMPTS; default 3) */
  readonly maxLostAttempts?: number;
  /** how often the death watch looks at the workers' liveness locks (FLOWLINE_DEATH_CHECK_MS; default 500) */
  readonly deathCheckMs?: number;
  /** rows of each kind handled per pass; the rest wait for the next */
  readonly batchSize?: number;
  /** deletes finished runs past their age, a bounded amount per pass */
  readonly retention?: RunRetention;
  /** creates history partitions ahead of the runs that need them */
  readonly partitions?: RunPartitions;
}

/** Config.maxLostAttempts's default. */
const DEFAULT_MAX_LOST_ATTEMPTS = 3;
/** Config.deathCheckMs's default. */
const DEFAULT_DEATH_CHECK_MS = 500;

/** What one pass did. */
export interface ReconcilePass {
  /** RUNNING nodes taken from dead, hung or unresponsive workers and decided on */
  readonly abandoned: number;
  /** READY nodes whose queue job was missing and was added again */
  readonly redispatched: number;
  /** runs whose nodes had all ended and that were closed */
  readonly settled: number;
  /** finished runs deleted by the retention policy */
  readonly deleted: number;
}

/**
 * The loop that owns every non-terminal state nobody else is moving: nodes
 * whose worker died (lease expired), ran past their timeout or ignored a
 * cancel; READY nodes Redis lost; runs left open. Postgres is the truth, so
 * each pass reads it and repairs Redis and the rows from it.
 *
 * Safe on every replica at once: a takeover is one conditional UPDATE with
 * SKIP LOCKED (each abandoned node goes to exactly one reconciler), decisions
 * go through the engine's decisions (conditional writes, run locks), and
 * re-dispatch uses deterministic job ids, so doing it twice adds one job.
 *
 * BullMQ's stalled-job check is left to do its own job: it re-delivers the job
 * of a dead worker, whose claim then finds the row RUNNING and drops it; the
 * node's fate is decided here, once, when the lease expires.
 */
export class Reconciler {
  readonly leaseOwner = newLeaseOwner('reconciler');
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  private stopped = false;
  private readonly systems: EngineSystems;
  /** finds dead workers by their liveness locks, between passes (see DeathWatch) */
  private readonly deathWatch: DeathWatch;

  constructor(
    engine: Engine,
    private readonly options: ReconcilerOptions,
  ) {
    this.systems = systemsOf(engine);
    this.deathWatch = new DeathWatch(this.systems, {
      intervalMs: options.deathCheckMs ?? DEFAULT_DEATH_CHECK_MS,
      leaseMs: options.leaseMs,
      maxLostAttempts: this.maxLostAttempts,
      leaseOwner: this.leaseOwner,
    });
  }

  private get maxLostAttempts(): number {
    return this.options.maxLostAttempts ?? DEFAULT_MAX_LOST_ATTEMPTS;
  }

  private get resources(): EngineSystems['resources'] {
    return this.systems.resources;
  }

  /** Starts the passes and the death watch. */
  start(): void {
    this.stopped = false;
    this.schedule();
    this.deathWatch.start();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass = this.reconcile()
        .catch((error: unknown) => this.resources.logger?.warn({ err: error }, 'reconcile pass failed; retrying next interval'))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  /** One pass over everything the reconciler owns. */
  async reconcile(): Promise<ReconcilePass> {
    const db = this.resources.db.pool;
    const limit = this.options.batchSize ?? 500;
    const now = this.resources.now();

    const abandoned = await takeOverAbandonedNodes(db, {
      leaseOwner: this.leaseOwner,
      leaseMs: this.options.leaseMs,
      graceMs: this.options.leaseMs,
      now,
      limit,
    });
    for (const node of abandoned) {
      this.resources.logger?.warn({ runId: uuidToShortId(node.runId), node: node.node, attempt: node.attempt, reason: node.reason }, 'node taken over');
      this.count(`takeover_${node.reason.toLowerCase()}`, 1);
      await this.decide(node.runId, abandonedNodeEvent(node, this.leaseOwner, this.maxLostAttempts));
    }

    const ready = await listStaleReadyNodes(db, { readySince: new Date(now.getTime() - this.options.intervalMs), limit });
    // A READY attempt handed to a lane is that lane's while its worker lives (the lane hands back what waits too long);
    // once the worker is gone, the lane may have started it: it is decided as lost, as the death watch would.
    const handed = ready.filter((r) => r.handedTo !== null);
    const live = handed.length > 0 ? await listLiveWorkerKeys(db) : new Set<number>();
    for (const r of handed) {
      if (live.has(r.handedToKey!)) continue;
      this.resources.logger?.warn({ runId: uuidToShortId(r.runId), node: r.node, attempt: r.attempt, worker: r.handedTo, reason: 'lane lost' }, 'attempt lost with its worker');
      this.count('lane_lost', 1);
      await this.decide(r.runId, {
        type: 'LEASE_EXPIRED',
        node: r.node,
        attempt: r.attempt,
        leaseOwner: r.handedTo!,
        lostAttemptsAllowed: this.maxLostAttempts,
        why: 'the worker it was handed to is gone',
        lostBy: r.handedTo!,
      });
    }
    const unhanded: (StaleReadyNode & { queue: string })[] = [];
    for (const r of ready) {
      if (r.handedTo !== null) continue;
      const spec = specOf(await this.resources.definitions.dag(r.definitionId, r.definitionVersion), r.node)!;
      unhanded.push({ ...r, queue: queueOf(spec) });
    }
    // Parked nodes READY this long were never parked (their process stopped first): parked now, not queued.
    const queued = this.systems.dispatch.withoutParked(unhanded);
    const redispatched = queued.length === 0 ? [] : await this.resources.nodeQueue.redispatch(queued, now, this.options.intervalMs);
    // Not only lost dispatches: attempts waiting in a busy worker's local queue unhanded (a start's roots) have no job either, and are shared with the fleet here.
    for (const { runId, node, attempt } of redispatched) {
      this.resources.logger?.info({ runId: uuidToShortId(runId), node, attempt, reason: 'READY with no queue job' }, 'node queued again for every worker');
    }
    this.count('redispatch', redispatched.length);

    // Waits whose hand-over a crash lost (a signal kept, a child ended or never started), waiting a lease or more.
    const resumed = await this.systems.waits.resumeStranded(new Date(now.getTime() - this.options.leaseMs), limit);
    this.count('wait_resumed', resumed);

    // Settled a lease after their last write: a run that recent may still be being decided.
    const settleable = await listSettleableRuns(db, { updatedBefore: new Date(now.getTime() - this.options.leaseMs), limit });
    for (const runId of settleable) {
      this.resources.logger?.info({ runId: uuidToShortId(runId), reason: 'every node ended, the run did not' }, 'run settled');
      await this.decide(runId, { type: 'SETTLE' });
    }
    this.count('settle', settleable.length);

    await this.options.partitions?.ensureAhead(now);
    const deleted = (await this.options.retention?.sweep(now)) ?? 0;
    if (deleted > 0) this.resources.logger?.info({ deleted }, 'finished runs past their retention deleted');
    this.count('retention_delete', deleted);

    // After retention, whose deletes are deltas too: the history totals' kept counts stay small to sum.
    await compactRunCounts(db);

    return { abandoned: abandoned.length, redispatched: redispatched.length, settled: settleable.length, deleted };
  }

  private count(action: string, times: number): void {
    if (times > 0) this.resources.metrics.reconcilerActions.inc({ action }, times);
  }

  /** One run's failure to decide (deleted meanwhile, contention) must not stop the pass over the others. */
  private async decide(runId: string, event: RunEvent): Promise<void> {
    try {
      await this.systems.decisions.transition(runId, event);
    } catch (error) {
      this.resources.logger?.warn({ err: error, runId: uuidToShortId(runId), event: event.type }, 'reconciler decision failed; retried next pass');
    }
  }

  /** Stops scheduling passes and waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([this.pass, this.deathWatch.stop()]);
  }
}
