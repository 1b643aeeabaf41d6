import { uuidToShortId } from '../core/ids.ts';
import type { EngineSystems } from '../runtime/engineSystems.ts';
import { takeOverLostAttempts } from '../storage/takeOverLostAttempts.ts';
import { listLiveWorkerKeys } from '../storage/workerLiveness.ts';

/** What a death watch needs besides the engine. */
export interface DeathWatchOptions {
  /** how often it looks at the workers' liveness locks */
  readonly intervalMs: number;
  /** the lease it holds the attempts it takes over under, while deciding them */
  readonly leaseMs: number;
  /** how many lost attempts a node may have re-run (FLOWLINE_MAX_LOST_ATTEMPTS) */
  readonly maxLostAttempts: number;
  /** the owner name its takeovers are written under */
  readonly leaseOwner: string;
}

/** Attempts taken over per look; the rest wait for the next. */
const BATCH = 1000;

/**
 * Finds dead workers within a second or two of their death, not after a
 * lease: every worker holds a liveness lock while it runs (see
 * storage/workerLiveness.ts), and this loop looks at which are held. A lock
 * seen held, then missing at two looks in a row, is a dead worker: its RUNNING
 * attempts are taken over and its READY attempts handed to its local lane are
 * found, and each is decided as lost (LEASE_EXPIRED), so it runs again on a
 * live worker under a new attempt, on the lost-attempt budget. A dead worker
 * is looked for again at every look for a lease more: a claim of its that
 * waited behind a row lock may commit after its death.
 *
 * Only what it saw alive and then gone counts: after its own view lapsed (its
 * queries failed, Postgres restarted and every lock went with its sessions,
 * the process was paused) it starts over from what it sees, so a restart
 * kills nobody. A worker it never saw alive is found by its lease, as before.
 * Safe on any number of replicas: takeovers are SKIP LOCKED, decisions are
 * conditional writes.
 */
export class DeathWatch {
  /** the keys seen held at the last look, and since when each missing one has been missing */
  private seen = new Set<number>();
  private readonly missingSince = new Map<number, number>();
  /** dead workers' keys, looked for again until a lease has passed: a claim of theirs queued behind a lock may still commit */
  private readonly deadUntil = new Map<number, number>();
  private lastLook = 0;
  private timer: NodeJS.Timeout | undefined;
  private look_: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly systems: EngineSystems,
    private readonly options: DeathWatchOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.look_;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.look_ = this.look()
        .catch((error: unknown) => {
          // Its own view lapsed: start again from what it sees next.
          this.lastLook = 0;
          this.systems.resources.logger?.warn({ err: error }, 'death watch look failed; looking again');
        })
        .finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  /** One look: compares the locks held now with those held before; decides the attempts of the workers found dead. Answers how many. */
  async look(): Promise<number> {
    const { resources, decisions } = this.systems;
    const now = resources.now().getTime();
    const live = await listLiveWorkerKeys(resources.db.pool);
    if (now - this.lastLook > 3 * this.options.intervalMs) {
      this.seen = live;
      this.missingSince.clear();
      this.lastLook = now;
      return 0;
    }
    this.lastLook = now;
    for (const key of this.seen) if (!live.has(key) && !this.missingSince.has(key)) this.missingSince.set(key, now);
    for (const key of live) this.missingSince.delete(key);
    for (const [key, since] of this.missingSince) {
      if (since >= now) continue;
      this.missingSince.delete(key);
      this.deadUntil.set(key, now + this.options.leaseMs);
    }
    for (const [key, until] of this.deadUntil) if (until < now || live.has(key)) this.deadUntil.delete(key);
    this.seen = new Set([...live, ...this.missingSince.keys()]);
    const dead = [...this.deadUntil.keys()];
    if (dead.length === 0) return 0;
    const lost = await takeOverLostAttempts(resources.db.pool, {
      deadKeys: dead,
      leaseOwner: this.options.leaseOwner,
      leaseMs: this.options.leaseMs,
      now: resources.now(),
      limit: BATCH,
    });
    for (const attempt of lost) {
      resources.logger?.warn(
        { runId: uuidToShortId(attempt.runId), node: attempt.node, attempt: attempt.attempt, worker: attempt.lostBy, reason: 'worker died' },
        'attempt lost with its worker',
      );
      resources.metrics.reconcilerActions.inc({ action: 'worker_died' });
      await decisions
        .transition(attempt.runId, {
          type: 'LEASE_EXPIRED',
          node: attempt.node,
          attempt: attempt.attempt,
          leaseOwner: attempt.leaseOwner,
          lostAttemptsAllowed: this.options.maxLostAttempts,
          why: 'its worker died',
          lostBy: attempt.lostBy,
        })
        .catch((error: unknown) =>
          resources.logger?.warn({ err: error, runId: uuidToShortId(attempt.runId), node: attempt.node }, 'lost attempt not decided; its lease decides it later'),
        );
    }
    return lost.length;
  }
}
