import { Forbidden, Unauthenticated, roleAllows, type CredentialAuthority, type Permission } from '@flowline/engine';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { bearerToken } from '../../auth/nativeAuth.ts';

/** Explorer's session cookie, and the header its API documents as an alternative. */
export const SESSION_COOKIE = 'explorer_token';

/** How long an `explorer_token` lives: Explorer's own `Max-Age=259200` (3 days). */
export const SESSION_TTL_SECONDS = 259_200;

/**
 * The user and password of `POST /connect`: `Authorization: Bearer <base64>`
 * where the base64 text is the JSON array `["user","password"]` (current
 * Explorer) or `user:password` (Explorer before 3.2). Anything else is a 401.
 */
export function connectAccount(request: FastifyRequest): { user: string; password: string } {
  const token = bearerToken(request);
  if (!token || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) throw new Unauthenticated('Authorization must be Bearer <base64 account>');
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Unauthenticated('the account is not a JSON array ["user","password"]');
    }
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string') && parsed[0]) {
      return { user: parsed[0] as string, password: parsed[1] as string };
    }
    throw new Unauthenticated('the account must be the JSON array ["user","password"]');
  }
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Unauthenticated('the account must be base64 of ["user","password"] or user:password');
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The session cookie `connect` sets: HttpOnly (no script reads it),
 * SameSite=Lax (no other site's form or fetch sends it along), and Secure when
 * the request came over TLS, directly or through a proxy saying so (the flag
 * only narrows where the browser sends the cookie, so the proxy's word is enough).
 */
export function sessionCookie(request: FastifyRequest, token: string): string {
  const forwarded = request.headers['x-forwarded-proto'];
  const tls = request.protocol === 'https' || (typeof forwarded === 'string' && forwarded.split(',')[0]!.trim() === 'https');
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${SESSION_TTL_SECONDS}; HttpOnly; SameSite=Lax${tls ? '; Secure' : ''}`;
}

/** The `explorer_token` from the Cookie header, else from an `explorer_token` header; and which carried it. */
function sessionToken(request: FastifyRequest): { token: string; fromCookie: boolean } {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) return { token: pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'), fromCookie: true };
  }
  const header = request.headers[SESSION_COOKIE];
  return { token: typeof header === 'string' ? header.trim() : '', fromCookie: false };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a cookie-authenticated change carries what no cross-site page can
 * send without a CORS preflight flowline never grants: `Content-Type:
 * application/json` (which Explorer's documented calls send anyway) or an
 * `X-Requested-With` header. A browser attaches the cookie to any request to
 * this host, so a cookie alone — a form posted from elsewhere — started runs.
 */
function carriesCsrfProof(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return /^application\/json\s*(;|$)/i.test(type) || request.headers['x-requested-with'] !== undefined;
}

/** An onRequest hook (auth before validation): a live session whose principal's role allows `permission`. */
export function explorerAuth(authority: CredentialAuthority, permission: Permission): onRequestAsyncHookHandler {
  return async (request) => {
    const { token, fromCookie } = sessionToken(request);
    const principal = await authority.authenticateSession(token);
    // Known before the role check, so the audit row of a refused call names who tried.
    request.principal = principal;
    if (!roleAllows(principal.role, permission)) throw new Forbidden(principal.role, permission);
    if (fromCookie && !SAFE_METHODS.has(request.method) && !carriesCsrfProof(request)) {
      throw new Forbidden(principal.role, permission, 'a change authenticated by the explorer_token cookie must send Content-Type: application/json or X-Requested-With');
    }
  };
}
