import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { TencentError } from './tencentErrors.ts';

/**
 * COS request signature v5 (https://cloud.tencent.com/document/product/436/7778),
 * as cos-nodejs-sdk-v5's `util.getAuth` computes it:
 *
 *   SignKey      = hex(HMAC-SHA1(SecretKey, KeyTime))
 *   HttpString   = method \n uri \n sortedParams \n sortedHeaders \n
 *   StringToSign = "sha1" \n SignTime \n hex(SHA1(HttpString)) \n
 *   Signature    = hex(HMAC-SHA1(SignKey, StringToSign))
 *
 * Param and header keys are lower-cased and URL-encoded, values URL-encoded,
 * both sorted by key, and only the keys named in q-url-param-list /
 * q-header-list take part.
 */
export interface CosAuthorization {
  readonly accessKey: string;
  readonly signTime: string;
  readonly keyTime: string;
  readonly headerList: readonly string[];
  readonly paramList: readonly string[];
  readonly signature: string;
}

/** What of a request the signature covers. */
export interface SignedRequest {
  readonly method: string;
  /** the decoded path, e.g. `/workflowexecution` */
  readonly path: string;
  /** decoded query parameters, keys as sent */
  readonly query: ReadonlyMap<string, string>;
  /** request headers, keys lower-case (as Node gives them) */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** How far a sign time's start may lie ahead of our clock: client clocks drift. */
const CLOCK_SKEW_SECONDS = 60;

const denied = (message: string) => new TencentError('AccessDenied', 403, message);

/** encodeURIComponent plus `!'()*`, as the SDK's camSafeUrlEncode. */
export function camSafeUrlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Parses `q-sign-algorithm=sha1&q-ak=…&…&q-signature=…`; anything malformed is AccessDenied. */
export function parseCosAuthorization(header: string | undefined): CosAuthorization {
  if (!header) throw denied('the request carries no Authorization');
  const fields = new Map<string, string>();
  for (const pair of header.split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const field = (name: string) => {
    const value = fields.get(name);
    if (value === undefined) throw denied(`the Authorization lacks ${name}`);
    return value;
  };
  if (field('q-sign-algorithm') !== 'sha1') throw denied('q-sign-algorithm must be sha1');
  const list = (name: string) => field(name).split(';').filter((k) => k !== '');
  const authorization = {
    accessKey: field('q-ak'),
    signTime: field('q-sign-time'),
    keyTime: field('q-key-time'),
    headerList: list('q-header-list'),
    paramList: list('q-url-param-list'),
    signature: field('q-signature'),
  };
  if (!/^[0-9a-f]{40}$/.test(authorization.signature)) throw new TencentError('SignatureDoesNotMatch', 403, 'q-signature is not 40 hex digits');
  return authorization;
}

/** A `start;end` window in epoch seconds must hold `now`. COS's own words for a lapsed one, which the SDK recognises. */
export function assertLive(window: string, nowSeconds: number): void {
  const match = /^(\d{1,12});(\d{1,12})$/.exec(window);
  if (!match) throw denied(`the sign time ${JSON.stringify(window)} is not start;end`);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (nowSeconds > end || start > nowSeconds + CLOCK_SKEW_SECONDS || start > end) throw denied('Request has expired');
}

/** `key=value&…` of the listed keys (already encoded and lower-cased, as the lists carry them), sorted. */
function sortedPairs(keys: readonly string[], valueOf: (key: string) => string): string {
  return [...keys]
    .map((k) => k.toLowerCase())
    .sort()
    .map((k) => `${k}=${camSafeUrlEncode(valueOf(k))}`)
    .join('&');
}

/** The signature a request should carry, given its secret key. */
export function cosSignature(secretKey: string, auth: CosAuthorization, request: SignedRequest): string {
  const query = new Map([...request.query].map(([k, v]) => [camSafeUrlEncode(k).toLowerCase(), v]));
  const header = (key: string) => {
    const value = request.headers[key];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  const httpString = [
    request.method.toLowerCase(),
    request.path,
    sortedPairs(auth.paramList, (k) => query.get(k) ?? ''),
    sortedPairs(auth.headerList, header),
    '',
  ].join('\n');
  const signKey = createHmac('sha1', secretKey).update(auth.keyTime).digest('hex');
  const stringToSign = ['sha1', auth.signTime, createHash('sha1').update(httpString).digest('hex'), ''].join('\n');
  return createHmac('sha1', signKey).update(stringToSign).digest('hex');
}

/**
 * Checks a request against its Authorization: both time windows live, every
 * query parameter signed (so a signed request cannot be re-pointed by adding a
 * filter), and the signature equal in constant time.
 */
export function verifyCosSignature(secretKey: string, auth: CosAuthorization, request: SignedRequest, nowSeconds: number): void {
  assertLive(auth.signTime, nowSeconds);
  assertLive(auth.keyTime, nowSeconds);
  const signedParams = new Set(auth.paramList.map((k) => k.toLowerCase()));
  for (const key of request.query.keys()) {
    if (!signedParams.has(camSafeUrlEncode(key).toLowerCase())) {
      throw new TencentError('SignatureDoesNotMatch', 403, `query parameter ${key} is not covered by q-url-param-list`);
    }
  }
  const expected = Buffer.from(cosSignature(secretKey, auth, request), 'hex');
  const given = Buffer.from(auth.signature, 'hex');
  if (!timingSafeEqual(expected, given)) {
    throw new TencentError('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided');
  }
}
