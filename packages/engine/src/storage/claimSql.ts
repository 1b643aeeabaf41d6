import { Status } from '../core/status.ts';

/**
 * SQL: the SET list of a claim (core/claim.ts) — RUNNING under `owner`'s
 * lease, which runs `leaseMs` from `now`; the attempt starts at its claim.
 * Both statements that claim write exactly these columns: `claimNodes` (a
 * worker taking attempts) and `applyCommands` (claims at release). Each
 * argument is an SQL expression.
 */
export function claimAssignments(now: string, owner: string, leaseMs: string): string {
  return `status = ${Status.RUNNING}, started_at = ${now}, ended_at = NULL, lease_owner = ${owner},
          lease_expires_at = ${now} + make_interval(secs => ${leaseMs} / 1000), updated_at = ${now}`;
}
