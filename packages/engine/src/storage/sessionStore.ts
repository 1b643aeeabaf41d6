import type { Queryable } from './database.ts';
import { CREDENTIAL_COLUMNS, type CredentialRow } from './credentialStore.ts';

/**
 * Sessions: short-lived tokens issued after a password login (Explorer's
 * `POST /connect` → `explorer_token`). Only the token's SHA-256 is stored; a
 * session belongs to the credential that opened it, so revoking the credential
 * ends its sessions too.
 */
export async function insertSession(
  db: Queryable,
  session: { readonly tokenHash: string; readonly credentialId: string; readonly expiresAt: Date; readonly now: Date },
): Promise<void> {
  await db.query(`INSERT INTO sessions (token_hash, credential_id, expires_at, created_at) VALUES ($1, $2, $3, $4)`, [
    session.tokenHash,
    session.credentialId,
    session.expiresAt,
    session.now,
  ]);
}

/** The credential behind a live (unexpired) session token hash; callers still check the credential's own state. */
export async function findSessionCredential(db: Queryable, tokenHash: string, now: Date): Promise<CredentialRow | undefined> {
  const result = await db.query<CredentialRow>({
    // Named: every Explorer request runs it (see findCredentialBySecretHash).
    name: 'find-session-credential',
    text: `SELECT ${CREDENTIAL_COLUMNS}
             FROM sessions s JOIN credentials c ON c.id = s.credential_id JOIN principals p ON p.id = c.principal_id
            WHERE s.token_hash = $1 AND s.expires_at > $2`,
    values: [tokenHash, now],
  });
  return result.rows[0];
}

/** Drops sessions past their expiry, so the table holds only live ones (called when a session opens). */
export async function deleteExpiredSessions(db: Queryable, now: Date): Promise<void> {
  await db.query(`DELETE FROM sessions WHERE expires_at <= $1`, [now]);
}
