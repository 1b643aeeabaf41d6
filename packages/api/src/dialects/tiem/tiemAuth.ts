import { CredentialKind, Forbidden, roleAllows, type CredentialAuthority, type Permission } from '@flowline/engine';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { bearerToken } from '../../auth/nativeAuth.ts';

/**
 * TiEM authenticates with `Authorization: Bearer <token>`: a credential of kind
 * `bearer`, the same tokens the native API takes. Failures surface through the
 * TiEM error table as 70600 (missing, unknown), 70602 (expired), 70650 (role).
 */
export function tiemAuth(authority: CredentialAuthority, permission: Permission): preHandlerAsyncHookHandler {
  return async (request) => {
    const principal = await authority.authenticateToken([CredentialKind.BEARER], bearerToken(request) ?? '');
    // Known before the role check, so the audit row of a refused call names who tried.
    request.principal = principal;
    if (!roleAllows(principal.role, permission)) throw new Forbidden(principal.role, permission);
  };
}
