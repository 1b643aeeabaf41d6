import type { Queryable } from './database.ts';

/** A webhook as callers see it: never its secret. */
export interface WebhookRecord {
  readonly id: string;
  /** null for the definition's own, else the schedule's name */
  readonly schedule: string | null;
  readonly url: string;
  readonly events: string[];
  readonly createdAt: Date;
}

/** A definition's webhooks, the definition's own first. */
export async function listWebhooks(db: Queryable, definitionId: number): Promise<WebhookRecord[]> {
  const result = await db.query<WebhookRecord>(
    `SELECT id, NULLIF(schedule_name, '') AS schedule, url, events, created_at AS "createdAt"
       FROM notification_webhooks WHERE definition_id = $1 ORDER BY schedule_name, url`,
    [definitionId],
  );
  return result.rows;
}

/** A webhook just declared, with its signing secret: shown this once, sealed at rest. */
export interface IssuedWebhook extends WebhookRecord {
  readonly secret: string;
}
