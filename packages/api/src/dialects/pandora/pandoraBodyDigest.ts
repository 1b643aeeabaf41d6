import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { PandoraError, PandoraFault } from './pandoraErrors.ts';

/** Requests whose body the content parser checked; the others had none. */
const checked = new WeakSet<FastifyRequest>();

/** RFC 1864 says base64 of the 16-byte MD5; a hex digest is taken too. */
function digestOf(header: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{32}$/.test(header)) return Buffer.from(header, 'hex');
  if (/^[A-Za-z0-9+/]{22}==$/.test(header)) return Buffer.from(header, 'base64');
  return undefined;
}

/**
 * The signature covers Content-MD5, not the body: without this check a
 * captured admin PUT could be replayed with any body inside the Date window.
 * So a request with a body must carry Content-MD5, and a Content-MD5 must be
 * the body's. The content parser checks a body before parsing it (a
 * tampered body is refused as tampered, not as malformed), a pre-validation
 * hook the requests that had none; failures are `bad token` (401), like any
 * request whose signature does not hold.
 */
export function assertBodyDigest(request: FastifyRequest, body: Buffer | undefined): void {
  if (body === undefined) {
    if (checked.has(request)) return;
    body = Buffer.alloc(0);
  }
  checked.add(request);
  const header = request.headers['content-md5'];
  if (header === undefined) {
    if (body.length > 0) throw new PandoraError(PandoraFault.BAD_TOKEN, 'a request with a body must carry its Content-MD5, which the signature covers');
    return;
  }
  const given = digestOf(Array.isArray(header) ? (header[0] ?? '') : header);
  if (!given) throw new PandoraError(PandoraFault.BAD_TOKEN, 'Content-MD5 is not the base64 (or hex) of an MD5 digest');
  const actual = createHash('md5').update(body).digest();
  if (!timingSafeEqual(given, actual)) throw new PandoraError(PandoraFault.BAD_TOKEN, 'Content-MD5 does not match the body');
}
