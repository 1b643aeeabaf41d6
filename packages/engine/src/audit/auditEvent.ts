/** How a call that changed, or tried to change, something ended. */
export const AuditOutcome = {
  /** answered with a 2xx or 3xx */
  OK: 'ok',
  /** refused for its credential: none, a wrong one, or a role that may not (401, 403) */
  DENIED: 'denied',
  /** refused or failed otherwise (a 4xx for the request, a 5xx for flowline) */
  FAILED: 'failed',
} as const;
export type AuditOutcome = (typeof AuditOutcome)[keyof typeof AuditOutcome];

/** The outcome an HTTP status stands for. */
export function auditOutcomeOf(httpStatus: number): AuditOutcome {
  if (httpStatus === 401 || httpStatus === 403) return AuditOutcome.DENIED;
  return httpStatus < 400 ? AuditOutcome.OK : AuditOutcome.FAILED;
}

/** Who made a call, as far as its credential said; absent when no credential was accepted. */
export interface AuditPrincipal {
  readonly id: string;
  readonly name: string;
  readonly orgId: string;
  readonly role: string;
}

/** One state-changing call, as the surface that took it records it in the audit trail. */
export interface AuditEntry {
  readonly at: Date;
  readonly principal: AuditPrincipal | undefined;
  /** in the domain's words: run.start, run.cancel, definition.update, schedule.backfill, credential.issue… */
  readonly action: string;
  /** what it was asked of: a run id, a definition name, a schedule id (empty when the request named none) */
  readonly target: string;
  /** native, cli, ui, or a dialect's name */
  readonly surface: string;
  /** the caller's address */
  readonly address: string;
  readonly method: string;
  /** the route as declared (e.g. /v1/runs/:id/cancel): the request's path may hold anything */
  readonly route: string;
  readonly httpStatus: number;
}

/** A row of the audit trail: the entry, its principal spread into columns, and its outcome. */
export interface AuditRecord extends Omit<AuditEntry, 'principal'> {
  readonly id: number;
  readonly orgId: string | null;
  readonly principalId: string | null;
  readonly principalName: string | null;
  readonly role: string | null;
  readonly outcome: AuditOutcome;
}

/** What a reader of the trail filters on; every field optional but the org (undefined: every org, for a superadmin). */
export interface AuditFilter {
  readonly orgId: string | undefined;
  /** a principal's id or name */
  readonly principal?: string;
  /** an action, or an action's family before its dot (`run` matches run.cancel, run.start…) */
  readonly action?: string;
  readonly target?: string;
  readonly surface?: string;
  readonly outcome?: AuditOutcome;
  /** at or after */
  readonly from?: Date;
  /** before */
  readonly to?: Date;
}
