import { GroupCommit } from '../runtime/groupCommit.ts';
import type { Database } from '../storage/database.ts';
import { insertAuditEvents } from '../storage/insertAuditEvents.ts';
import { listAuditEvents } from '../storage/listAuditEvents.ts';
import type { AuditEntry, AuditFilter, AuditRecord } from './auditEvent.ts';

/**
 * The audit trail: appended by every surface, once per state-changing call,
 * and read by admins. Appends are group-committed (the calls answered while a
 * batch is being written go together next), so a burst of starts costs a few
 * statements, not one each. Nothing here updates or deletes a row.
 */
export class AuditTrail {
  private readonly appends = new GroupCommit<AuditEntry, void>(async (entries) => {
    await insertAuditEvents(this.db.pool, entries);
    return entries.map(() => ({ status: 'fulfilled', value: undefined }) as const);
  });

  constructor(private readonly db: Database) {}

  /** Appends one entry; resolves once it is committed. */
  record(entry: AuditEntry): Promise<void> {
    return this.appends.submit(entry);
  }

  /** A page of the trail, newest first. */
  list(filter: AuditFilter, page: { readonly limit: number; readonly beforeId?: number }): Promise<{ events: AuditRecord[]; nextBeforeId: number | undefined }> {
    return listAuditEvents(this.db.pool, filter, page);
  }
}
