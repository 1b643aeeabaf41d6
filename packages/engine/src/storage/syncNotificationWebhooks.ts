import type { Queryable } from './database.ts';

/** A webhook a spec declares, with the id and sealed secret it gets if it is new. */
export interface WantedWebhook {
  /** '' for the definition's own, else the schedule's name */
  readonly scheduleName: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly newId: string;
  readonly newSecretSealed: string;
}

/**
 * Makes a definition's webhooks match its spec, in one statement: those no
 * longer declared are deleted, the others upserted by (scope, URL) — a
 * webhook that stays keeps its id and secret, only its events follow the
 * spec. Answers the ids of the webhooks inserted now (whose secret is to be
 * shown once). Runs after the schedules are synced: a schedule's webhook
 * points at its row.
 */
export async function syncNotificationWebhooks(
  db: Queryable,
  definition: { readonly id: number; readonly orgId: string },
  wanted: readonly WantedWebhook[],
  now: Date,
): Promise<Set<string>> {
  const result = await db.query<{ id: string; inserted: boolean }>(
    `WITH wanted AS (
       SELECT * FROM json_to_recordset($3::json) AS w("scheduleName" text, url text, events text[], "newId" uuid, "newSecretSealed" text)
     ), removed AS (
       DELETE FROM notification_webhooks h
        WHERE h.definition_id = $1
          AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w."scheduleName" = h.schedule_name AND w.url = h.url)
     )
     INSERT INTO notification_webhooks AS h (id, definition_id, schedule_name, schedule_id, org_id, url, events, secret_sealed, created_at, updated_at)
     SELECT w."newId", $1, w."scheduleName",
            (SELECT s.id FROM schedules s WHERE s.definition_id = $1 AND s.name = w."scheduleName" AND w."scheduleName" <> ''),
            $2, w.url, w.events, w."newSecretSealed", $4, $4
       FROM wanted w
     ON CONFLICT (definition_id, schedule_name, url) DO UPDATE
        SET events = EXCLUDED.events, schedule_id = EXCLUDED.schedule_id, updated_at = EXCLUDED.updated_at
     -- xmax is 0 on a row this statement inserted, set on one its ON CONFLICT updated
     RETURNING h.id, (h.xmax = 0) AS inserted`,
    [definition.id, definition.orgId, JSON.stringify(wanted), now],
  );
  return new Set(result.rows.filter((r) => r.inserted).map((r) => r.id));
}
