import { auditOutcomeOf, type AuditEntry } from '../audit/auditEvent.ts';
import type { Queryable } from './database.ts';

/**
 * Appends entries to the audit trail in one statement. The batch goes as one
 * JSON document keyed as the rows, as insertRuns sends its starts.
 */
export async function insertAuditEvents(db: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    at: e.at,
    orgId: e.principal?.orgId ?? null,
    principalId: e.principal?.id ?? null,
    principalName: e.principal?.name ?? null,
    role: e.principal?.role ?? null,
    action: e.action,
    target: e.target,
    surface: e.surface,
    address: e.address,
    method: e.method,
    route: e.route,
    httpStatus: e.httpStatus,
    outcome: auditOutcomeOf(e.httpStatus),
  }));
  await db.query({
    name: 'insert-audit-events',
    text: `INSERT INTO audit_events (at, org_id, principal_id, principal_name, role, action, target, surface, address, method, route, http_status, outcome)
           SELECT at, "orgId", "principalId", "principalName", role, action, target, surface, address, method, route, "httpStatus", outcome
             FROM json_to_recordset($1::json) AS e(at timestamptz, "orgId" text, "principalId" uuid, "principalName" text, role text,
                  action text, target text, surface text, address text, method text, route text, "httpStatus" smallint, outcome text)`,
    values: [JSON.stringify(rows)],
  });
}
