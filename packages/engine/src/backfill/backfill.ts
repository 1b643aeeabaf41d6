/** Where a backfill is: starting runs, done with its range, or stopped by a caller. */
export const BackfillStatus = { RUNNING: 'RUNNING', DONE: 'DONE', CANCELLED: 'CANCELLED' } as const;
export type BackfillStatus = (typeof BackfillStatus)[keyof typeof BackfillStatus];

/** A request to backfill a schedule over a past range: one run per fire time in [from, to) the ledger has no row for. */
export interface BackfillRequest {
  readonly scheduleId: string;
  readonly orgId: string;
  readonly from: Date;
  /** exclusive, and not after now: later fire times are the scheduler's */
  readonly to: Date;
  /** the backfill's runs going at once, at most (default DEFAULT_BACKFILL_CONCURRENCY) */
  readonly maxConcurrent?: number;
  /** who asked, as the records show */
  readonly requestedBy: string;
}

/** A backfill and how far it got. */
export interface BackfillRecord {
  readonly id: string;
  readonly scheduleId: number;
  readonly orgId: string;
  readonly from: Date;
  readonly to: Date;
  readonly maxConcurrent: number;
  readonly status: BackfillStatus;
  /** fire times in the range */
  readonly total: number;
  /** runs started */
  readonly started: number;
  /** fire times not run: the ledger already had them, or the live scheduler owns them */
  readonly skipped: number;
  /** the next fire time to decide; null when done */
  readonly cursor: Date | null;
  readonly requestedBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
}
