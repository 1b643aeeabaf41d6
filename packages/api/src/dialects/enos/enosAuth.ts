import { CredentialKind, Forbidden, roleAllows, type CredentialAuthority, type Permission } from '@flowline/engine';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { bearerToken } from '../../auth/nativeAuth.ts';

/**
 * EnOS's gateway takes `apim-accesstoken: <token>`; `Authorization: Bearer`
 * is accepted too. Either carries a credential of kind `enos` (or a native
 * `bearer` token, so one operator token can call both).
 */
export function enosAuth(authority: CredentialAuthority, permission: Permission): preHandlerAsyncHookHandler {
  return async (request) => {
    const header = request.headers['apim-accesstoken'];
    const token = (Array.isArray(header) ? header[0] : header)?.trim() || bearerToken(request) || '';
    const principal = await authority.authenticateToken([CredentialKind.ENOS, CredentialKind.BEARER], token);
    // Known before the role check, so the audit row of a refused call names who tried.
    request.principal = principal;
    if (!roleAllows(principal.role, permission)) throw new Forbidden(principal.role, permission);
  };
}
