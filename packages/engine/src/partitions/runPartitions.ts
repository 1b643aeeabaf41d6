import type { Database } from '../storage/database.ts';
import { ensureRunPartitions } from '../storage/ensureRunPartitions.ts';

const DAY_MS = 86_400_000;

/** How history is cut into partitions. */
export interface RunPartitionOptions {
  /**
   * Days of run starts per partition (default 28: four weeks, aligned on the
   * weeks). Every statement that cannot prune to one partition pays for each
   * at planning and at executor start-up — lists (a Merge Append of one index
   * scan each), and the hot path's writes by row address: with 55 weekly
   * partitions (a year) Postgres CPU a one-step run went from 0.24 to 0.46 ms
   * (S1 probe, docs/scaling.md) — so fewer, larger periods keep both fast;
   * retention drops a period only once its last run is past its age, so
   * shorter periods free space sooner. Four weeks hold 10M runs at 4 starts/s.
   */
  readonly periodDays?: number;
  /** how far ahead of now partitions exist (default 7 days): a start never waits for one to be made */
  readonly aheadDays?: number;
}

/**
 * Creates the partitions of runs, nodes and attempts ahead of the runs that
 * will need them (called on every reconciler pass). A run whose period has no
 * partition still lands in the default one and moves into its own when it is
 * made, so being late only costs that move.
 */
export class RunPartitions {
  /** the end of the periods with partitions, as last seen: until now + ahead is past it, no statement is needed */
  private coveredUntil = 0;

  constructor(
    private readonly db: Database,
    private readonly options: RunPartitionOptions = {},
  ) {}

  /** Makes sure runs started from `now` up to `aheadDays` after it have their partitions. */
  async ensureAhead(now: Date): Promise<void> {
    const upto = now.getTime() + (this.options.aheadDays ?? 7) * DAY_MS;
    if (upto < this.coveredUntil) return;
    const until = await ensureRunPartitions(this.db.pool, now, new Date(upto), this.options.periodDays ?? 28);
    this.coveredUntil = until.getTime();
  }
}
