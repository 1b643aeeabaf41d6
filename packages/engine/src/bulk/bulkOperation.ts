import type { Status } from '../core/status.ts';
import { ErrorCode } from '../errors.ts';

/** What a bulk operation does to each run it selects. */
export const BulkAction = { CANCEL: 'cancel', RERUN: 'rerun', RESUME: 'resume' } as const;
export type BulkAction = (typeof BulkAction)[keyof typeof BulkAction];

/** Where a bulk operation is: working, done with every run it selected, or stopped by a caller. */
export const BulkOperationStatus = { RUNNING: 'RUNNING', DONE: 'DONE', CANCELLED: 'CANCELLED' } as const;
export type BulkOperationStatus = (typeof BulkOperationStatus)[keyof typeof BulkOperationStatus];

/** The most runs a bulk operation names by id; beyond that, select them by a filter. */
export const MAX_BULK_IDS = 1000;

/** Runs a bulk operation works off per batch, each batch's progress committed before the next. */
export const BULK_BATCH_SIZE = 100;

/** Failures a bulk operation keeps to show (the latest); the counts say how many there were. */
export const MAX_BULK_ERRORS = 20;

/** Which runs of the org a filtered bulk operation selects; the fields combine with AND, at least one is given. */
export interface BulkRunFilter {
  readonly workflow?: string;
  readonly statuses?: readonly Status[];
  readonly bizType?: string;
  /** created at or after */
  readonly createdFrom?: Date;
  /** created before */
  readonly createdTo?: Date;
}

/** The runs a bulk operation is over: named by id (at most MAX_BULK_IDS), or every run a filter selects when it is asked for. */
export type BulkSelector = { readonly ids: readonly string[] } | { readonly filter: BulkRunFilter };

/** A request for a bulk operation, by a principal of an org. */
export interface BulkOperationRequest {
  readonly orgId: string;
  readonly action: BulkAction;
  readonly selector: BulkSelector;
  /** who asked, as the records show */
  readonly requestedBy: string;
}

/** A failure of the operation on one run. */
export interface BulkRunError {
  readonly runId: string;
  readonly code: string;
  readonly message: string;
}

/** A bulk operation and how far it got: `processed` of `total` runs, each succeeded, skipped or failed. */
export interface BulkOperationRecord {
  readonly id: string;
  readonly orgId: string;
  readonly action: BulkAction;
  readonly selector: BulkSelector;
  readonly status: BulkOperationStatus;
  readonly total: number;
  readonly processed: number;
  readonly succeeded: number;
  /** runs the action did not apply to: already ended, not suspended, gone */
  readonly skipped: number;
  readonly failed: number;
  readonly errors: readonly BulkRunError[];
  readonly requestedBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
}

/** How the action ended on one run: an error here is the run's, not the batch's. */
export type BulkRunOutcome = { readonly runId: string; readonly error?: { readonly code: string; readonly message: string } };

/** What a batch adds to an operation's counts. */
export interface BulkTally {
  readonly processed: number;
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly errors: readonly BulkRunError[];
}

/**
 * Errors that mean "this run is not one the action applies to" — it ended,
 * it is not suspended, it was deleted — rather than a failure: a filter
 * selects by what runs were, and they move on while the operation works.
 */
const SKIPPING_CODES: ReadonlySet<string> = new Set([ErrorCode.INVALID_TRANSITION, ErrorCode.RUN_NOT_FOUND]);

/** Counts a batch's outcomes (pure): succeeded, skipped (not applicable), failed, and the failures to show. */
export function tallyBatch(outcomes: readonly BulkRunOutcome[]): BulkTally {
  let succeeded = 0;
  let skipped = 0;
  const errors: BulkRunError[] = [];
  for (const { runId, error } of outcomes) {
    if (!error) succeeded++;
    else if (SKIPPING_CODES.has(error.code)) skipped++;
    else errors.push({ runId, ...error });
  }
  return { processed: outcomes.length, succeeded, skipped, failed: errors.length, errors: errors.slice(-MAX_BULK_ERRORS) };
}
