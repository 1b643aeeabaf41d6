import { timingSafeEqual } from 'node:crypto';
import { CredentialKind, Forbidden, roleAllows, type CredentialAuthority, type Permission } from '@flowline/engine';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { PandoraError, PandoraFault } from './pandoraErrors.ts';
import { pandoraSignature } from './pandoraSignature.ts';

/** Qiniu's verifier allows 900 s of clock difference either way. */
const DATE_SKEW_MS = 15 * 60 * 1000;

/** `Pandora <AK>:<urlsafe base64 of the 20-byte HMAC-SHA1>`; Go's URLEncoding pads with `=`. */
const AUTHORIZATION = /^Pandora ([A-Za-z0-9_.@=-]{1,128}):([A-Za-z0-9_-]{27}=?)$/;

/** Go's http.TimeFormat (RFC 7231 IMF-fixdate), the only form Qiniu's verifier parses. */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

const badToken = (reason: string) => new PandoraError(PandoraFault.BAD_TOKEN, reason);

/**
 * Authenticates a `Pandora AK:sign` request: the Date header within 15 minutes
 * of now, then the signature recomputed with the AK's secret key and compared in
 * constant time. Sets `request.principal`; every failure is a 401 `bad token`.
 */
export async function authenticatePandora(request: FastifyRequest, authority: CredentialAuthority, now: Date): Promise<void> {
  const header = request.headers.authorization ?? '';
  const match = AUTHORIZATION.exec(header);
  if (!match) throw badToken('expected "Authorization: Pandora <AK>:<signature>"');
  const date = request.headers.date ?? '';
  if (!HTTP_DATE.test(date)) throw badToken('the Date header is missing or not an HTTP date');
  // A date of the right shape that names no instant (hour 99, 31 Feb) would pass any freshness test
  // (NaN compares false) and so be replayable forever: it must be the very text of the instant it parses to.
  const at = Date.parse(date);
  if (Number.isNaN(at) || new Date(at).toUTCString() !== date) throw badToken('the Date header names no real instant');
  if (Math.abs(now.getTime() - at) > DATE_SKEW_MS) {
    throw badToken('the Date header is more than 15 minutes from the server time');
  }
  const { principal, secretKey } = await authority.signingKey(CredentialKind.QINIU, match[1]!);
  const expected = pandoraSignature(secretKey, { method: request.method, headers: request.headers, url: request.url });
  const given = Buffer.from(match[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badToken('signature mismatch');
  request.principal = principal;
}

/** A pre-handler refusing principals whose role does not allow `permission`. */
export function requirePandoraPermission(permission: Permission): preHandlerAsyncHookHandler {
  return async (request) => {
    const principal = request.principal;
    if (!principal) throw badToken('not authenticated');
    if (!roleAllows(principal.role, permission)) throw new Forbidden(principal.role, permission);
  };
}
