import { randomBytes, timingSafeEqual } from 'node:crypto';
import { newUuid } from '../core/ids.ts';
import { Conflict, CredentialExpired, CredentialNotFound, Unauthenticated, ValidationFailed } from '../errors.ts';
import type { Database } from '../storage/database.ts';
import {
  findCredentialByAccessKey,
  findCredentialBySecretHash,
  insertCredential,
  listCredentials,
  revokeCredential,
  upsertBootstrapCredential,
  type CredentialRow,
} from '../storage/credentialStore.ts';
import { isUniqueViolation } from '../storage/sqlState.ts';
import { deleteExpiredSessions, findSessionCredential, insertSession } from '../storage/sessionStore.ts';
import { CredentialKind, SEALED_KINDS } from './credentialKind.ts';
import { Role, type Principal } from './roles.ts';
import { SecretSeal, hashSecret } from './secretSeal.ts';

/** What `CredentialAuthority.issue` issues: a credential of a scheme, a role and an org. */
export interface IssueCredentialRequest {
  readonly kind: CredentialKind;
  readonly role: Role;
  readonly orgId: string;
  readonly name?: string;
  /** the public half: Explorer user name; generated when absent */
  readonly accessKey?: string;
  /** kind `secret` only: the value to seal (every other kind's secret is generated) */
  readonly secret?: string;
  readonly expiresAt?: Date;
}

/** A credential as listed: never its secret. */
export interface CredentialSummary {
  readonly id: string;
  readonly kind: CredentialKind;
  readonly name: string;
  readonly accessKey: string | null;
  readonly role: Role;
  readonly orgId: string;
  readonly principalId: string;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly createdAt: Date;
}

/** What issuing returns, the only time the secret is visible. */
export interface IssuedCredential extends CredentialSummary {
  readonly secret: string;
}

/** The fixed ids of the boot-time admin (FLOWLINE_ADMIN_TOKEN), so a restart refreshes rather than adds. */
const BOOTSTRAP_PRINCIPAL_ID = '00000000-0000-4000-8000-000000000001';
const BOOTSTRAP_CREDENTIAL_ID = '00000000-0000-4000-8000-000000000002';

const alphanumeric = (length: number) =>
  Array.from(randomBytes(length), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62]).join('');

/**
 * Issues credentials of every kind and turns presented ones into principals.
 * Dialects call it with their own scheme's material; it never sees HTTP.
 */
export class CredentialAuthority {
  constructor(
    private readonly db: Database,
    private readonly seal: SecretSeal,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async issue(request: IssueCredentialRequest): Promise<IssuedCredential> {
    const { secret, accessKey } = this.generate(request);
    const sealed = SEALED_KINDS.includes(request.kind);
    const principal = { id: newUuid(), orgId: request.orgId, name: request.name ?? `${request.kind}-${request.role}`, role: request.role };
    const id = newUuid();
    try {
      await insertCredential(this.db, {
        id,
        principal,
        kind: request.kind,
        name: principal.name,
        accessKey,
        secretHash: sealed ? null : hashSecret(secret),
        secretSealed: sealed ? this.seal.seal(secret) : null,
        expiresAt: request.expiresAt ?? null,
      });
    } catch (error) {
      // Only a chosen Explorer user name can collide; it may be another org's, so the answer names nothing of it.
      if (isUniqueViolation(error)) throw new Conflict('accessKey is not available; choose another');
      throw error;
    }
    return {
      id,
      kind: request.kind,
      name: principal.name,
      accessKey,
      role: request.role,
      orgId: request.orgId,
      principalId: principal.id,
      expiresAt: request.expiresAt ?? null,
      revokedAt: null,
      createdAt: this.now(),
      secret,
    };
  }

  private generate(request: IssueCredentialRequest): { secret: string; accessKey: string | null } {
    if ((request.kind === CredentialKind.SECRET) !== (request.secret !== undefined)) {
      throw new ValidationFailed('secret: give a value for kind secret, and only for it (other kinds generate theirs)');
    }
    switch (request.kind) {
      case CredentialKind.BEARER:
      case CredentialKind.ENOS:
        return { secret: `flt_${randomBytes(24).toString('base64url')}`, accessKey: null };
      case CredentialKind.EXPLORER:
        return { secret: randomBytes(18).toString('base64url'), accessKey: request.accessKey ?? `user_${alphanumeric(10)}` };
      case CredentialKind.COS:
        // The shapes Tencent issues: SecretId "AKID" + 32, SecretKey 32 alphanumerics.
        return { secret: alphanumeric(32), accessKey: `AKID${alphanumeric(32)}` };
      case CredentialKind.QINIU:
        return { secret: randomBytes(30).toString('base64url'), accessKey: randomBytes(30).toString('base64url') };
      case CredentialKind.SECRET:
        return { secret: request.secret!, accessKey: null };
    }
  }

  /** The principal behind a token-like secret (bearer, enos) of the accepted kinds. */
  async authenticateToken(kinds: readonly CredentialKind[], token: string): Promise<Principal> {
    if (!token) throw new Unauthenticated();
    const row = await findCredentialBySecretHash(this.db.pool, kinds, hashSecret(token));
    return this.principalOf(row);
  }

  /** The principal behind a user name + password (Explorer's connect). */
  async authenticatePassword(kind: CredentialKind, user: string, password: string): Promise<Principal> {
    const row = await findCredentialByAccessKey(this.db.pool, kind, user);
    const expected = Buffer.from(row?.secretHash ?? '', 'hex');
    const given = Buffer.from(hashSecret(password), 'hex');
    if (!row || expected.length !== given.length || !timingSafeEqual(expected, given)) throw new Unauthenticated('wrong user name or password');
    return this.principalOf(row);
  }

  /** The principal and the unsealed HMAC key of an access key (COS SecretId, Qiniu AK), to verify a signature with. */
  async signingKey(kind: CredentialKind, accessKey: string): Promise<{ principal: Principal; secretKey: string }> {
    const row = await findCredentialByAccessKey(this.db.pool, kind, accessKey);
    const principal = this.principalOf(row);
    return { principal, secretKey: this.seal.open(row!.secretSealed!) };
  }

  /**
   * Opens a session for a principal that just proved its password: a random
   * token, stored only as its hash, valid for `ttlSeconds` (Explorer's
   * `explorer_token`, 259200 s). Expired sessions are swept here, not by a timer.
   */
  async openSession(principal: Principal, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const now = this.now();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    await deleteExpiredSessions(this.db.pool, now);
    await insertSession(this.db.pool, { tokenHash: hashSecret(token), credentialId: principal.credentialId, expiresAt, now });
    return { token, expiresAt };
  }

  /** The principal behind a live session token; its credential must still be live too. */
  async authenticateSession(token: string): Promise<Principal> {
    if (!token) throw new Unauthenticated();
    return this.principalOf(await findSessionCredential(this.db.pool, hashSecret(token), this.now()));
  }

  private principalOf(row: CredentialRow | undefined): Principal {
    if (!row || row.revokedAt) throw new Unauthenticated();
    if (row.expiresAt && row.expiresAt.getTime() <= this.now().getTime()) throw new CredentialExpired();
    return { id: row.principalId, name: row.principalName, orgId: row.orgId, role: row.role, credentialId: row.id };
  }

  async list(orgId: string): Promise<CredentialSummary[]> {
    const rows = await listCredentials(this.db.pool, orgId);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      name: r.name,
      accessKey: r.accessKey,
      role: r.role,
      orgId: r.orgId,
      principalId: r.principalId,
      expiresAt: r.expiresAt,
      revokedAt: r.revokedAt,
      createdAt: r.createdAt,
    }));
  }

  async revoke(orgId: string, id: string): Promise<void> {
    const uuid = /^[0-9a-f-]{36}$/i.test(id) ? id : undefined;
    if (!uuid || !(await revokeCredential(this.db.pool, orgId, uuid, this.now()))) throw new CredentialNotFound(id);
  }

  /**
   * FLOWLINE_ADMIN_TOKEN: the operator's bearer token, a superadmin of `orgId`,
   * created or refreshed at boot (a principal an older flowline made admin is raised).
   */
  async ensureAdminToken(token: string, orgId: string): Promise<void> {
    await upsertBootstrapCredential(this.db, {
      id: BOOTSTRAP_CREDENTIAL_ID,
      principal: { id: BOOTSTRAP_PRINCIPAL_ID, orgId, name: 'bootstrap-admin', role: Role.SUPERADMIN },
      kind: CredentialKind.BEARER,
      name: 'FLOWLINE_ADMIN_TOKEN',
      accessKey: null,
      secretHash: hashSecret(token),
      secretSealed: null,
      expiresAt: null,
    });
  }
}
