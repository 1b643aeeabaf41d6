import type { Role } from '../auth/roles.ts';
import type { CredentialKind } from '../auth/credentialKind.ts';
import { inTransaction, type Database, type Queryable } from './database.ts';

export interface NewCredential {
  readonly id: string;
  readonly principal: { readonly id: string; readonly orgId: string; readonly name: string; readonly role: Role };
  readonly kind: CredentialKind;
  readonly name: string;
  readonly accessKey: string | null;
  readonly secretHash: string | null;
  readonly secretSealed: string | null;
  readonly expiresAt: Date | null;
}

/** A credential joined with its principal, as authentication needs it. */
export interface CredentialRow {
  readonly id: string;
  readonly kind: CredentialKind;
  readonly name: string;
  readonly accessKey: string | null;
  readonly secretSealed: string | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly createdAt: Date;
  readonly principalId: string;
  readonly principalName: string;
  readonly orgId: string;
  readonly role: Role;
}

export const CREDENTIAL_COLUMNS = `
  c.id, c.kind, c.name, c.access_key AS "accessKey", c.secret_sealed AS "secretSealed",
  c.expires_at AS "expiresAt", c.revoked_at AS "revokedAt", c.created_at AS "createdAt",
  p.id AS "principalId", p.name AS "principalName", p.org_id AS "orgId", p.role`;

/** Inserts the principal (if new) and the credential in one transaction. */
export async function insertCredential(db: Database, credential: NewCredential): Promise<void> {
  await inTransaction(db, async (client) => {
    const { principal } = credential;
    await client.query(
      `INSERT INTO principals (id, org_id, name, role) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
      [principal.id, principal.orgId, principal.name, principal.role],
    );
    await client.query(
      `INSERT INTO credentials (id, principal_id, kind, name, access_key, secret_hash, secret_sealed, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        credential.id,
        principal.id,
        credential.kind,
        credential.name,
        credential.accessKey,
        credential.secretHash,
        credential.secretSealed,
        credential.expiresAt,
      ],
    );
  });
}

/** The live-or-not credential with this secret hash among the given kinds (callers check expiry and revocation). */
export async function findCredentialBySecretHash(
  db: Queryable,
  kinds: readonly CredentialKind[],
  secretHash: string,
): Promise<CredentialRow | undefined> {
  const result = await db.query<CredentialRow>({
    // Named: every authenticated request runs it. Unnamed, each was parsed and planned anew — 0.25 ms of
    // Postgres CPU a request, a quarter of what a start per call cost the database in all.
    name: 'find-credential-by-secret-hash',
    text: `SELECT ${CREDENTIAL_COLUMNS} FROM credentials c JOIN principals p ON p.id = c.principal_id
            WHERE c.secret_hash = $1 AND c.kind = ANY($2::text[])`,
    values: [secretHash, kinds],
  });
  return result.rows[0];
}

/** A credential by its public access key (COS SecretId, Qiniu AK, Explorer user). */
export async function findCredentialByAccessKey(
  db: Queryable,
  kind: CredentialKind,
  accessKey: string,
): Promise<(CredentialRow & { readonly secretHash: string | null }) | undefined> {
  const result = await db.query<CredentialRow & { secretHash: string | null }>({
    // Named for the reason above: every signed request (COS, Pandora) runs it.
    name: 'find-credential-by-access-key',
    text: `SELECT ${CREDENTIAL_COLUMNS}, c.secret_hash AS "secretHash" FROM credentials c JOIN principals p ON p.id = c.principal_id
            WHERE c.kind = $1 AND c.access_key = $2`,
    values: [kind, accessKey],
  });
  return result.rows[0];
}

/** Every credential of an org, newest first, without secrets. */
export async function listCredentials(db: Queryable, orgId: string): Promise<CredentialRow[]> {
  const result = await db.query<CredentialRow>(
    `SELECT ${CREDENTIAL_COLUMNS} FROM credentials c JOIN principals p ON p.id = c.principal_id
      WHERE p.org_id = $1 ORDER BY c.created_at DESC, c.id`,
    [orgId],
  );
  return result.rows;
}

/** Revokes a live credential of an org; false when there is none to revoke. */
export async function revokeCredential(db: Queryable, orgId: string, id: string, now: Date): Promise<boolean> {
  const result = await db.query(
    `UPDATE credentials c SET revoked_at = $3
       FROM principals p
      WHERE c.id = $2 AND p.id = c.principal_id AND p.org_id = $1 AND c.revoked_at IS NULL`,
    [orgId, id, now],
  );
  return result.rowCount === 1;
}

/**
 * The boot-time admin token: one fixed credential row whose hash is replaced
 * when FLOWLINE_ADMIN_TOKEN changes, so a rotated token revokes the old one.
 */
export async function upsertBootstrapCredential(db: Database, credential: NewCredential): Promise<void> {
  await inTransaction(db, async (client) => {
    const { principal } = credential;
    await client.query(
      `INSERT INTO principals (id, org_id, name, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role`,
      [principal.id, principal.orgId, principal.name, principal.role],
    );
    await client.query(
      `INSERT INTO credentials (id, principal_id, kind, name, secret_hash)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, revoked_at = NULL, expires_at = NULL`,
      [credential.id, principal.id, credential.kind, credential.name, credential.secretHash],
    );
  });
}

