import type { Database } from '../storage/database.ts';
import { deleteExpiredFirings } from '../storage/deleteExpiredFirings.ts';
import { deleteExpiredRuns } from '../storage/deleteExpiredRuns.ts';
import { dropRunPartition } from '../storage/dropRunPartition.ts';
import { listExpiredRunPartitions } from '../storage/listExpiredRunPartitions.ts';
import { retentionRules, type RetentionPolicy, type RetentionRule } from './retentionPolicy.ts';

/** How retention deletes: how many runs a statement and a pass. */
export interface RunRetentionOptions {
  /** runs deleted per statement */
  readonly batchSize?: number;
  /** statements per rule per sweep: a backlog is worked off over several sweeps, each short */
  readonly maxBatches?: number;
  /**
   * how often a sweep tries to drop whole partitions (default 10 minutes):
   * deciding whether a period can go reads all of its runs
   */
  readonly partitionCheckMs?: number;
}

/**
 * Applies a retention policy: drops the partitions of periods whose runs are
 * all past their age (a whole week of history in one statement, whatever its
 * size), then deletes the finished runs past their age that are left (in the
 * default partition, or in a period some run of which is kept), and the
 * firing ledger past the default age, in batches.
 */
export class RunRetention {
  private partitionsCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    private readonly policy: RetentionPolicy,
    private readonly options: RunRetentionOptions = {},
  ) {}

  /** One sweep at `now`; returns the number of runs deleted (ledger rows are not counted). */
  async sweep(now: Date): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
    const maxBatches = this.options.maxBatches ?? 20;
    const rules = retentionRules(this.policy, now);
    let deleted = await this.dropExpiredPartitions(rules, now);
    for (const rule of rules) {
      for (let batch = 0; batch < maxBatches; batch++) {
        const count = await deleteExpiredRuns(this.db.pool, rule, batchSize);
        deleted += count;
        if (count < batchSize) break;
      }
    }
    if (this.policy.maxAgeMs !== undefined) {
      const firedBefore = new Date(now.getTime() - this.policy.maxAgeMs);
      for (let batch = 0; batch < maxBatches; batch++) {
        if ((await deleteExpiredFirings(this.db.pool, firedBefore, batchSize)) < batchSize) break;
      }
    }
    return deleted;
  }

  /** Drops every period whose runs are all past the rules; returns the runs dropped. */
  private async dropExpiredPartitions(rules: readonly RetentionRule[], now: Date): Promise<number> {
    if (rules.length === 0 || now.getTime() - this.partitionsCheckedAt < (this.options.partitionCheckMs ?? 600_000)) return 0;
    this.partitionsCheckedAt = now.getTime();
    // No period can be all past the latest cutoff before it has ended.
    const latestCutoff = new Date(Math.max(...rules.map((rule) => rule.endedBefore.getTime())));
    let dropped = 0;
    for (const periodStart of await listExpiredRunPartitions(this.db.pool, latestCutoff)) {
      dropped += (await dropRunPartition(this.db.pool, periodStart, rules)) ?? 0;
    }
    return dropped;
  }
}
