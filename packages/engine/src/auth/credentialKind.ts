/**
 * The kinds of credential, one per auth scheme flowline speaks:
 * - bearer: `Authorization: Bearer <token>` (native API, TiEM)
 * - enos: `apim-accesstoken: <token>` (EnOS)
 * - explorer: a user name + password for Explorer's `POST /connect`
 * - cos: a SecretId/SecretKey pair verified by COS signature v5 (Tencent CI)
 * - qiniu: an AK/SK pair verified by the `Pandora AK:sign` scheme
 * - secret: a value an admin stores for the `http` node to send
 *   (`{"secretRef": "<name>"}`); no scheme authenticates with it
 *
 * Token-like secrets (bearer, enos, explorer) are stored only as a SHA-256 hash;
 * HMAC keys (cos, qiniu) must be usable by the server to recompute signatures,
 * so they are stored sealed (AES-256-GCM) with the server's seal key.
 */
export const CredentialKind = {
  BEARER: 'bearer',
  ENOS: 'enos',
  EXPLORER: 'explorer',
  COS: 'cos',
  QINIU: 'qiniu',
  SECRET: 'secret',
} as const;
export type CredentialKind = (typeof CredentialKind)[keyof typeof CredentialKind];
/** Every credential kind, for schemas that enumerate them. */
export const CREDENTIAL_KINDS = Object.values(CredentialKind) as [CredentialKind, ...CredentialKind[]];

/** Kinds whose secret the server must be able to read back (HMAC signing keys, values the http node sends). */
export const SEALED_KINDS: readonly CredentialKind[] = [CredentialKind.COS, CredentialKind.QINIU, CredentialKind.SECRET];
