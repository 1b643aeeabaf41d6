import { CredentialKind, Forbidden, roleAllows, type CredentialAuthority, type Permission } from '@flowline/engine';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { camSafeUrlEncode, parseCosAuthorization, verifyCosSignature, type SignedRequest } from './cosSignature.ts';
import { TencentError } from './tencentErrors.ts';

/**
 * The request as the signature sees it: decoded path and raw query pairs, not
 * fastify's parsed view. The signature compares keys lower-cased and would
 * keep one value of a repeated key, while a route reads a key as sent: so a
 * key that repeats, or collides with another once lower-cased, is refused —
 * `?object=EVIL&OBJECT=benign` signed as `object=benign` started a run on EVIL.
 */
export function signedRequestOf(request: FastifyRequest): SignedRequest {
  const [rawPath = '', rawQuery = ''] = request.url.split(/\?(.*)/s, 2);
  const query = new Map<string, string>();
  const signedKeys = new Set<string>();
  let path: string;
  try {
    for (const pair of rawQuery.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const decode = (text: string) => decodeURIComponent(text.replaceAll('+', ' '));
      const key = decode(eq < 0 ? pair : pair.slice(0, eq));
      const signedKey = camSafeUrlEncode(key).toLowerCase();
      if (signedKeys.has(signedKey)) {
        throw new TencentError('InvalidArgument', 400, `query parameter ${JSON.stringify(key)} appears more than once (keys are compared lower-cased, as the signature compares them)`);
      }
      signedKeys.add(signedKey);
      query.set(key, eq < 0 ? '' : decode(pair.slice(eq + 1)));
    }
    path = decodeURIComponent(rawPath);
  } catch (error) {
    if (error instanceof TencentError) throw error;
    throw new TencentError('InvalidArgument', 400, 'the URL is not valid percent-encoding');
  }
  return { method: request.method, path, query, headers: request.headers };
}

/**
 * An onRequest hook (auth before validation): the request carries a live COS v5 signature by a `cos`
 * credential (SecretId = q-ak) whose role allows `permission`. The route then reads the query the
 * signature covered, parsed once here, instead of fastify's own parse of the same text.
 */
export function cosAuth(authority: CredentialAuthority, permission: Permission, now: () => Date): onRequestAsyncHookHandler {
  return async (request) => {
    const auth = parseCosAuthorization(request.headers.authorization);
    const signed = signedRequestOf(request);
    const { principal, secretKey } = await authority.signingKey(CredentialKind.COS, auth.accessKey);
    verifyCosSignature(secretKey, auth, signed, Math.floor(now().getTime() / 1000));
    // Known before the role check, so the audit row of a refused call names who tried.
    request.principal = principal;
    if (!roleAllows(principal.role, permission)) throw new Forbidden(principal.role, permission);
    request.query = Object.fromEntries(signed.query);
  };
}
