import { CredentialKind, Forbidden, roleAllows, type CredentialAuthority, type Permission } from '@flowline/engine';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { parseCosAuthorization, verifyCosSignature, type SignedRequest } from './cosSignature.ts';
import { TencentError } from './tencentErrors.ts';

/** The request as the signature sees it: decoded path and raw query pairs, not fastify's parsed view. */
export function signedRequestOf(request: FastifyRequest): SignedRequest {
  const [rawPath = '', rawQuery = ''] = request.url.split(/\?(.*)/s, 2);
  const query = new Map<string, string>();
  try {
    for (const pair of rawQuery.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const decode = (text: string) => decodeURIComponent(text.replaceAll('+', ' '));
      query.set(decode(eq < 0 ? pair : pair.slice(0, eq)), eq < 0 ? '' : decode(pair.slice(eq + 1)));
    }
    return { method: request.method, path: decodeURIComponent(rawPath), query, headers: request.headers };
  } catch {
    throw new TencentError('InvalidArgument', 400, 'the URL is not valid percent-encoding');
  }
}

/**
 * An onRequest hook (auth before validation): the request carries a live COS v5 signature by a `cos`
 * credential (SecretId = q-ak) whose role allows `permission`.
 */
export function cosAuth(authority: CredentialAuthority, permission: Permission, now: () => Date): onRequestAsyncHookHandler {
  return async (request) => {
    const auth = parseCosAuthorization(request.headers.authorization);
    const { principal, secretKey } = await authority.signingKey(CredentialKind.COS, auth.accessKey);
    verifyCosSignature(secretKey, auth, signedRequestOf(request), Math.floor(now().getTime() / 1000));
    if (!roleAllows(principal.role, permission)) throw new Forbidden(principal.role, permission);
    request.principal = principal;
  };
}
