import type { DeliveryStatus } from '../notifications/deliveryVerdict.ts';
import type { Queryable } from './database.ts';

/** One attempt at a delivery. */
export interface DeliveryAttempt {
  readonly attempt: number;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly httpStatus: number | null;
  readonly error: string | null;
  readonly sender: string;
}

/** A delivery of one event to one webhook, with its attempts. */
export interface DeliveryRecord {
  readonly id: string;
  readonly webhookId: string;
  readonly event: string;
  readonly occurredAt: Date;
  readonly url: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
  readonly attemptLog: DeliveryAttempt[];
}

/** A run's deliveries (of an org), oldest first, each with its attempts. */
export async function listRunDeliveries(db: Queryable, orgId: string, runId: string): Promise<DeliveryRecord[]> {
  const result = await db.query<Omit<DeliveryRecord, 'attemptLog'> & { attemptLog: (Omit<DeliveryAttempt, 'startedAt' | 'endedAt'> & { startedAt: string; endedAt: string })[] }>(
    `SELECT d.id, d.webhook_id AS "webhookId", d.event, d.occurred_at AS "occurredAt", d.url, d.status, d.attempts,
            CASE WHEN d.status = 'PENDING' THEN d.next_attempt_at END AS "nextAttemptAt", d.last_error AS "lastError",
            d.created_at AS "createdAt", d.delivered_at AS "deliveredAt",
            COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'startedAt', a.started_at, 'endedAt', a.ended_at,
                                                        'httpStatus', a.http_status, 'error', a.error, 'sender', a.sender) ORDER BY a.attempt)
                        FROM notification_attempts a WHERE a.delivery_id = d.id), '[]') AS "attemptLog"
       FROM notification_deliveries d
      WHERE d.run_id = $2 AND d.org_id = $1
      ORDER BY d.created_at, d.event, d.url`,
    [orgId, runId],
  );
  return result.rows.map((d) => ({ ...d, attemptLog: d.attemptLog.map((a) => ({ ...a, startedAt: new Date(a.startedAt), endedAt: new Date(a.endedAt) })) }));
}
