import type { Logger } from 'pino';
import type { Database } from '../storage/database.ts';
import { markRunsStarted } from '../storage/markRunsStarted.ts';

/**
 * How long a run whose node was claimed may still show READY: if no decision
 * has written it by then, its row is moved to RUNNING. Most runs of one short
 * step end sooner, and so are written twice (started, ended) instead of three times.
 */
export const RUN_START_MARK_DELAY_MS = 200;

/**
 * # When a run shows RUNNING
 *
 * A claim gives a node to a worker and writes the node's row alone (see
 * core/claim.ts). The run's own READY → RUNNING is written by its first
 * decision — a node's outcome starts a READY run (core/decide.ts), in the
 * write the decision makes anyway — or, for a run no decision has written
 * within this delay (its first node still runs), here: in one statement for
 * all of them (storage/markRunsStarted.ts), with the time of the claim as
 * the run's start. A run that ends at its first decision is written once,
 * READY → its end, its start taken from its nodes' (applyCommands). Each
 * write of a run row goes through every one of its indexes (status is in
 * them, so none is HOT): for a one-step run this is a third of its run-row work.
 *
 * Until then a run shows READY while a node of it runs, at most this delay
 * (or until Postgres takes the write: a refused one is tried again at the
 * next flush). Only runs at decisionSeq 0 are marked: a decision's write
 * finds the run row by its address, and a row moved under a decision in
 * flight makes it stale, so nothing but decisions writes a run they write.
 * A run write made on READY applies to RUNNING alike, for the one race left:
 * a run's first decision and its mark at once.
 */
export class RunStartMarks {
  /** runs claimed and not ended, with when their first node was claimed */
  private readonly due = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
    private readonly logger: Logger | undefined,
    private readonly delayMs = RUN_START_MARK_DELAY_MS,
  ) {}

  /** A node of a READY run no decision has written was claimed at `at`: the run shows RUNNING from the next flush past the delay, unless a decision writes it first. */
  claimed(runId: string, at: Date): void {
    if (!this.due.has(runId)) this.due.set(runId, at);
    this.schedule();
  }

  /** Runs a decision of this process is writing (it starts or ends them): nothing is left to mark. */
  decided(runIds: Iterable<string>): void {
    for (const runId of runIds) this.due.delete(runId);
  }

  /** Stops flushing; what was not written stays READY until its run's next decision. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due.clear();
  }

  private schedule(): void {
    if (this.timer || this.due.size === 0) return;
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    const cutoff = this.now().getTime() - this.delayMs;
    const runIds: string[] = [];
    const startedAt: Date[] = [];
    for (const [runId, at] of this.due) {
      if (at.getTime() > cutoff) continue;
      runIds.push(runId);
      startedAt.push(at);
      this.due.delete(runId);
    }
    try {
      if (runIds.length > 0) await markRunsStarted(this.db.pool, { runIds, startedAt, now: this.now() });
    } catch (error) {
      this.logger?.warn({ err: error, runs: runIds.length }, 'runs not marked RUNNING yet; trying again');
      runIds.forEach((runId, i) => {
        if (!this.due.has(runId)) this.due.set(runId, startedAt[i]!);
      });
    }
    this.timer = undefined;
    this.schedule();
  }
}
