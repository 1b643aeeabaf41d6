import type { Queryable } from './database.ts';
import type { DeliveryAttempt } from './listRunDeliveries.ts';

/** How an attempt ended, and what becomes of its delivery. */
export interface DeliveryAttemptRecord extends DeliveryAttempt {
  readonly deliveryId: string;
  /** DELIVERED, PENDING (retry at `nextAttemptAt`) or DEAD */
  readonly status: string;
  readonly nextAttemptAt: Date;
  /** the body sent, kept so every retry sends the same */
  readonly payload: Record<string, unknown>;
}

/**
 * Records an attempt and its verdict in one statement. Conditional on the
 * delivery still being at this attempt: a sender whose lease lapsed while it
 * waited (another took the delivery over) records nothing, and the newer
 * attempt's verdict stands. Answers whether it was recorded.
 */
export async function recordDeliveryAttempt(db: Queryable, a: DeliveryAttemptRecord): Promise<boolean> {
  const result = await db.query(
    `WITH delivery AS (
       UPDATE notification_deliveries
          SET status = $8, next_attempt_at = $9, last_error = $6, payload = COALESCE(payload, $10::jsonb),
              delivered_at = CASE WHEN $8 = 'DELIVERED' THEN $4 ELSE delivered_at END
        WHERE id = $1 AND attempts = $2 AND status = 'PENDING'
        RETURNING id
     )
     INSERT INTO notification_attempts (delivery_id, attempt, started_at, ended_at, http_status, error, sender)
     SELECT $1, $2, $3, $4, $5, $6, $7 FROM delivery
     ON CONFLICT DO NOTHING`,
    [a.deliveryId, a.attempt, a.startedAt, a.endedAt, a.httpStatus, a.error, a.sender, a.status, a.nextAttemptAt, JSON.stringify(a.payload)],
  );
  return result.rowCount === 1;
}
