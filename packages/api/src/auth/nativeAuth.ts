import { CredentialKind, Forbidden, roleAllows, type CredentialAuthority, type Permission, type Principal } from '@flowline/engine';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** set by an auth pre-handler; undefined on unauthenticated routes */
    principal?: Principal;
  }
}

/** The token of `Authorization: Bearer <token>`, if the header has that form. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * A pre-handler that authenticates the native API's bearer token and checks the
 * principal's role allows `permission`; the error handler turns failures into
 * 401 (missing, unknown, revoked or expired) or 403 (role).
 */
export function requirePermission(authority: CredentialAuthority, permission: Permission): preHandlerAsyncHookHandler {
  return async (request) => {
    const principal = await authority.authenticateToken([CredentialKind.BEARER], bearerToken(request) ?? '');
    // Known before the role check, so the audit row of a refused call names who tried.
    request.principal = principal;
    if (!roleAllows(principal.role, permission)) throw new Forbidden(principal.role, permission);
  };
}

/** The authenticated caller of a route that has an auth pre-handler. */
export function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route has no auth pre-handler');
  return request.principal;
}
