import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { EgressDenied, type EgressPolicy } from './egressPolicy.ts';
import { ipFamily } from './ipAddress.ts';

/** A host name's addresses; the system resolver, or a stub in tests (which must never send a packet outward). */
export type HostResolver = (host: string) => Promise<readonly { address: string; family: number }[]>;

export const systemResolver: HostResolver = (host) => lookup(host, { all: true, verbatim: true });

/** Bytes of a response the http node reads at most unless FLOWLINE_HTTP_MAX_RESPONSE_BYTES says otherwise: it keeps an excerpt, not the body. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Statuses whose Location the request follows, each target checked again. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface EgressRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** header names (lower-case) dropped when a redirect leaves the origin: credentials for one host are not sent to another */
  readonly credentialHeaders: ReadonlySet<string>;
}

export interface EgressOptions {
  readonly policy: EgressPolicy;
  readonly resolver: HostResolver;
  /** bytes read from a response body at most; the rest is never read */
  readonly maxResponseBytes: number;
  /** bytes of the body kept for the caller */
  readonly excerptBytes: number;
  readonly maxRedirects: number;
  readonly signal: AbortSignal;
}

export interface EgressResponse {
  readonly status: number;
  /** the first `excerptBytes` of the body */
  readonly excerpt: Buffer;
  /** true when the body went past `maxResponseBytes` and the connection was closed there */
  readonly cut: boolean;
  readonly bytesRead: number;
  /** where the answer came from, after redirects */
  readonly url: URL;
}

/**
 * Resolves a URL's host and checks every address it resolves to (a name with
 * one inward address among public ones is refused whole); returns the
 * address to connect to, so the connection goes where the check looked and a
 * second DNS answer (rebinding) cannot send it elsewhere.
 */
export async function vetTarget(url: URL, policy: EgressPolicy, resolver: HostResolver): Promise<{ address: string; family: number }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EgressDenied(url.protocol, 'only http and https URLs are called');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const literal = ipFamily(host);
  if (literal !== undefined) {
    policy.check(host, host);
    return { address: host, family: literal };
  }
  const addresses = await resolver(host);
  if (addresses.length === 0) throw new EgressDenied(host, 'the name resolves to no address');
  for (const { address } of addresses) policy.check(host, address);
  return addresses[0]!;
}

/** A lookup that answers the vetted address whatever it is asked (net.connect may ask for all addresses). */
function pinnedLookup(target: { address: string; family: number }): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
}

function send(url: URL, target: { address: string; family: number }, request: Omit<EgressRequest, 'url' | 'credentialHeaders'>, signal: AbortSignal) {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    const outgoing = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: request.headers,
        lookup: pinnedLookup(target),
        signal,
        // one connection per request: a pooled socket would skip the check of its new target
        agent: false,
      },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/**
 * Reads at most `maxResponseBytes` of a body, keeping the first
 * `excerptBytes`: memory stays flat however much a server sends.
 */
async function readCapped(response: http.IncomingMessage, options: EgressOptions): Promise<{ excerpt: Buffer; cut: boolean; bytesRead: number }> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let bytesRead = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    if (keptBytes < options.excerptBytes) {
      // a copy, so the (up to 64 KB) chunk it came from can be collected
      const part = Buffer.from(chunk.subarray(0, options.excerptBytes - keptBytes));
      kept.push(part);
      keptBytes += part.length;
    }
    if (bytesRead > options.maxResponseBytes) {
      response.destroy();
      return { excerpt: Buffer.concat(kept), cut: true, bytesRead };
    }
  }
  return { excerpt: Buffer.concat(kept), cut: false, bytesRead };
}

/**
 * Sends a request under the egress policy, following redirects by hand: each
 * Location is resolved and checked like the first target, a 303 (or a 301/302
 * of a POST) turns into a GET without the body, as browsers and fetch do, and
 * credential headers are dropped once the origin changes.
 */
export async function egressRequest(request: EgressRequest, options: EgressOptions): Promise<EgressResponse> {
  let url = new URL(request.url);
  let { method, body } = request;
  let headers: Record<string, string> = { ...request.headers };
  for (let redirects = 0; ; redirects++) {
    const target = await vetTarget(url, options.policy, options.resolver);
    const response = await send(url, target, { method, headers, ...(body === undefined ? {} : { body }) }, options.signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!REDIRECTS.has(status) || location === undefined) {
      return { status, url, ...(await readCapped(response, options)) };
    }
    response.destroy();
    if (redirects >= options.maxRedirects) throw new Error(`${request.method} ${request.url}: more than ${options.maxRedirects} redirects`);
    const next = new URL(location, url);
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !request.credentialHeaders.has(name.toLowerCase())));
    if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
      method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-type'));
    }
    url = next;
  }
}
