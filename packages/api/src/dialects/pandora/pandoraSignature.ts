import { createHmac } from 'node:crypto';

/** What a Pandora signature covers, as the server received it. */
export interface SignedRequest {
  readonly method: string;
  /** header names lower-cased, as Node gives them */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** the request target: path and, if any, `?query` */
  readonly url: string;
}

const QINIU_HEADER_PREFIX = 'x-qiniu-';

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));

/**
 * Go's http.CanonicalHeaderKey of a lower-cased name: `x-qiniu-foo` → `X-Qiniu-Foo`.
 * Qiniu's SDK and server sort the X-Qiniu-* headers by this form, not by the
 * lower-cased one they print, and the two orders differ (`Z` < `_` < `z`).
 */
function canonicalHeaderKey(lowerCased: string): string {
  return lowerCased.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

/**
 * The string Pandora signs, exactly as Qiniu's pandora-go-sdk (base/sign.go) and
 * its server-side verifier build it:
 *
 *   METHOD \n Content-MD5 \n Content-Type \n Date \n
 *   then, for each X-Qiniu-* header sorted by canonical name, "\n" + lowercase-name + ":" + value
 *   then the resource: the URL path (decoded, as Go's URL.Path).
 *
 * Qiniu signs no query parameter (its sub-resource list is empty). No
 * /v2/workflows call of the SDK sends a query, so flowline appends `?query`
 * to the resource when there is one: that costs no client anything and keeps
 * a captured signature from being replayed with other parameters.
 */
export function pandoraStringToSign(request: SignedRequest): string {
  const h = request.headers;
  let text = `${request.method.toUpperCase()}\n${first(h['content-md5'])}\n${first(h['content-type'])}\n${first(h.date)}\n`;
  const qiniuHeaders = Object.keys(h)
    .filter((name) => name.length > QINIU_HEADER_PREFIX.length && name.toLowerCase().startsWith(QINIU_HEADER_PREFIX))
    .map((name) => ({ name, key: canonicalHeaderKey(name.toLowerCase()) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { name, key } of qiniuHeaders) text += `\n${key.toLowerCase()}:${first(h[name])}`;
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : request.url.slice(queryAt + 1);
  return text + decodePath(rawPath) + (query ? `?${query}` : '');
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

/** HMAC-SHA1 of the string to sign under the secret key (the raw 20-byte digest). */
export function pandoraSignature(secretKey: string, request: SignedRequest): Buffer {
  return createHmac('sha1', secretKey).update(pandoraStringToSign(request)).digest();
}
