import type { Database } from '../storage/database.ts';
import { deleteExpiredRuns } from '../storage/deleteExpiredRuns.ts';
import { retentionRules, type RetentionPolicy } from './retentionPolicy.ts';

export interface RunRetentionOptions {
  /** runs deleted per statement */
  readonly batchSize?: number;
  /** statements per rule per sweep: a backlog is worked off over several sweeps, each short */
  readonly maxBatches?: number;
}

/** Applies a retention policy: deletes finished runs past their age, in batches. */
export class RunRetention {
  constructor(
    private readonly db: Database,
    private readonly policy: RetentionPolicy,
    private readonly options: RunRetentionOptions = {},
  ) {}

  /** One sweep at `now`; returns the number of runs deleted. */
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
    return deleted;
  }
}
