import type { Database } from '../storage/database.ts';
import { deleteExpiredFirings } from '../storage/deleteExpiredFirings.ts';
import { deleteExpiredRuns } from '../storage/deleteExpiredRuns.ts';
import { retentionRules, type RetentionPolicy } from './retentionPolicy.ts';

/** How retention deletes: how many runs a statement and a pass. */
export interface RunRetentionOptions {
  /** runs deleted per statement */
  readonly batchSize?: number;
  /** statements per rule per sweep: a backlog is worked off over several sweeps, each short */
  readonly maxBatches?: number;
}

/**
 * Applies a retention policy: deletes finished runs past their age, and the
 * firing ledger past the default age, in batches.
 */
export class RunRetention {
  constructor(
    private readonly db: Database,
    private readonly policy: RetentionPolicy,
    private readonly options: RunRetentionOptions = {},
  ) {}

  /** One sweep at `now`; returns the number of runs deleted (ledger rows are not counted). */
  async sweep(now: Date): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
    const maxBatches = this.options.maxBatches ?? 20;
    let deleted = 0;
    for (const rule of retentionRules(this.policy, now)) {
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
}
