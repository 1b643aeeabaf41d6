import type { Queryable } from './database.ts';

/** A delivery taken for an attempt: the event, where to, the sealed secret to sign with, and the body if one was sent before. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly webhookId: string;
  readonly runId: string;
  readonly orgId: string;
  readonly event: string;
  readonly occurredAt: Date;
  readonly url: string;
  /** this attempt's number (1 for the first) */
  readonly attempt: number;
  readonly payload: Record<string, unknown> | null;
  /** null when the webhook was removed from its spec since the event */
  readonly secretSealed: string | null;
}

/**
 * Takes up to `limit` due deliveries that no other sender holds (SKIP LOCKED)
 * and counts the attempt now: `next_attempt_at` moves past the attempt's
 * timeout, so it is a lease — a sender that dies mid-attempt leaves the
 * delivery due again then, for any sender. Oldest due first.
 */
export async function claimDueDeliveries(db: Queryable, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
  const result = await db.query<ClaimedDelivery>(
    `WITH due AS (
       SELECT id FROM notification_deliveries
        WHERE status = 'PENDING' AND next_attempt_at <= $1
        ORDER BY next_attempt_at
        LIMIT $3
        FOR UPDATE SKIP LOCKED
     )
     UPDATE notification_deliveries d
        SET attempts = d.attempts + 1, next_attempt_at = $2
       FROM due
      WHERE d.id = due.id
     RETURNING d.id, d.webhook_id AS "webhookId", d.run_id AS "runId", d.org_id AS "orgId", d.event, d.occurred_at AS "occurredAt",
               d.url, d.attempts AS attempt, d.payload,
               (SELECT h.secret_sealed FROM notification_webhooks h WHERE h.id = d.webhook_id) AS "secretSealed"`,
    [now, leaseUntil, limit],
  );
  return result.rows;
}
