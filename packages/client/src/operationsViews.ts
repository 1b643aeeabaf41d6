/**
 * The views of the operations API: bulk operations over runs, backfills of
 * schedules, run notifications and the audit trail.
 */

/** What a bulk operation does to each run it selects. */
export type BulkAction = 'cancel' | 'rerun' | 'resume';

/** The runs a bulk operation selects by filter: at least one field; they combine with AND. */
export interface BulkRunFilter {
  workflow?: string;
  /** comma-separated status names, e.g. "FAIL,TIMEOUT" */
  status?: string;
  bizType?: string;
  /** created at or after (ISO 8601) */
  from?: string;
  /** created before (ISO 8601) */
  to?: string;
}

/** A bulk operation and its progress, as `GET /v1/bulk-operations/{id}` shows it. */
export interface BulkOperationView {
  id: string;
  action: BulkAction;
  status: 'RUNNING' | 'DONE' | 'CANCELLED';
  selector: { ids?: string[]; filter?: BulkRunFilter };
  total: number;
  processed: number;
  succeeded: number;
  /** runs the action did not apply to: already ended, not suspended, gone */
  skipped: number;
  failed: number;
  errors: { runId: string; code: string; message: string }[];
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** A backfill and its progress, as `GET /v1/backfills/{id}` shows it. */
export interface BackfillView {
  id: string;
  scheduleId: number;
  from: string;
  to: string;
  maxConcurrent: number;
  status: 'RUNNING' | 'DONE' | 'CANCELLED';
  /** fire times in the range */
  total: number;
  started: number;
  /** fire times the ledger already had (or the live scheduler owns) */
  skipped: number;
  nextFireTime: string | null;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** One delivery of a run's event to one webhook, with its attempts (`GET /v1/runs/{id}/notifications`). */
export interface DeliveryView {
  /** the event id: the receiver's idempotency key */
  id: string;
  webhookId: string;
  event: 'FAIL' | 'TIMEOUT' | 'SUCCESS' | 'CANCEL' | 'SLA_MISSED';
  occurredAt: string;
  url: string;
  status: 'PENDING' | 'DELIVERED' | 'DEAD';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attemptLog: { attempt: number; startedAt: string; endedAt: string; httpStatus: number | null; error: string | null; sender: string }[];
}

/** A row of the audit trail (`GET /v1/audit`). */
export interface AuditEventView {
  id: number;
  at: string;
  orgId: string | null;
  principalId: string | null;
  principalName: string | null;
  role: string | null;
  action: string;
  target: string;
  surface: string;
  address: string;
  method: string;
  route: string;
  httpStatus: number;
  outcome: 'ok' | 'denied' | 'failed';
}

/** Filters and paging of the audit trail. */
export interface AuditQuery {
  principal?: string;
  /** an action (run.cancel) or its family (run) */
  action?: string;
  target?: string;
  surface?: string;
  outcome?: 'ok' | 'denied' | 'failed';
  from?: string;
  to?: string;
  /** superadmin only */
  orgId?: string;
  limit?: number;
  cursor?: string;
}
