import type { AuditFilter, AuditRecord } from '../audit/auditEvent.ts';
import type { Queryable } from './database.ts';

/**
 * A page of the audit trail, newest first, keyset-paged on id: an org's
 * through its (org_id, id) index, every org's (a superadmin's) through the
 * primary key, each page the same cost however deep.
 */
export async function listAuditEvents(
  db: Queryable,
  filter: AuditFilter,
  page: { readonly limit: number; readonly beforeId?: number },
): Promise<{ events: AuditRecord[]; nextBeforeId: number | undefined }> {
  const result = await db.query<AuditRecord>(
    `SELECT id, at, org_id AS "orgId", principal_id AS "principalId", principal_name AS "principalName", role, action, target,
            surface, address, method, route, http_status AS "httpStatus", outcome
       FROM audit_events
      WHERE ($1::text IS NULL OR org_id = $1)
        AND ($2::bigint IS NULL OR id < $2)
        AND ($3::text IS NULL OR principal_name = $3 OR principal_id::text = $3)
        AND ($4::text IS NULL OR action = $4 OR action LIKE $4 || '.%')
        AND ($5::text IS NULL OR target = $5)
        AND ($6::text IS NULL OR surface = $6)
        AND ($7::text IS NULL OR outcome = $7)
        AND ($8::timestamptz IS NULL OR at >= $8)
        AND ($9::timestamptz IS NULL OR at < $9)
      ORDER BY id DESC
      LIMIT $10`,
    [
      filter.orgId ?? null,
      page.beforeId ?? null,
      filter.principal ?? null,
      filter.action ?? null,
      filter.target ?? null,
      filter.surface ?? null,
      filter.outcome ?? null,
      filter.from ?? null,
      filter.to ?? null,
      page.limit + 1,
    ],
  );
  const events = result.rows.slice(0, page.limit);
  return { events, nextBeforeId: result.rows.length > page.limit ? events.at(-1)!.id : undefined };
}
