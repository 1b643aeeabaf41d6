import type { Queryable } from './database.ts';

/**
 * The sealed value of the newest live `secret` credential named `name` in the
 * org of run `runId`: a run reads its own org's secrets and no other's, even
 * when it runs a shared-catalog definition. Issuing a new one under the same
 * name and revoking the old rotates it without touching definitions.
 */
export async function findRunSecret(db: Queryable, runId: string, name: string, now: Date): Promise<string | undefined> {
  const result = await db.query<{ sealed: string }>(
    `SELECT c.secret_sealed AS sealed
       FROM workflow_runs r
       JOIN principals p ON p.org_id = r.org_id
       JOIN credentials c ON c.principal_id = p.id
      WHERE r.id = $1 AND c.kind = 'secret' AND c.name = $2 AND c.revoked_at IS NULL
        AND (c.expires_at IS NULL OR c.expires_at > $3)
      ORDER BY c.created_at DESC
      LIMIT 1`,
    [runId, name, now],
  );
  return result.rows[0]?.sealed;
}
