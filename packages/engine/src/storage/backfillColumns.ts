/** The columns of a backfill as BackfillRecord names them, for every statement that answers one. */
export const BACKFILL_COLUMNS = `b.id, b.schedule_id AS "scheduleId", b.org_id AS "orgId", b.from_time AS "from", b.to_time AS "to",
  b.max_concurrent AS "maxConcurrent", b.status, b.total, b.started, b.skipped, b.cursor, b.requested_by AS "requestedBy",
  b.created_at AS "createdAt", b.updated_at AS "updatedAt", b.finished_at AS "finishedAt"`;
