import http from 'node:http';
import https from 'node:https';

/** One call of the API as the client makes it: a JSON body (if any) out. */
export interface HttpExchange {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What the API answered: its status and its body's text. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/** How the client reaches the API: one exchange in, one answer out; a network failure rejects with FlowlineUnreachable. */
export type HttpTransport = (exchange: HttpExchange) => Promise<HttpAnswer>;

/** The API could not be reached at all (refused, unknown host, TLS, reset): no answer, so no status. */
export class FlowlineUnreachable extends Error {
  constructor(
    readonly url: string,
    /** the system's code (ECONNREFUSED, ENOTFOUND…) or message */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${url}: ${reason}`, options);
    this.name = 'FlowlineUnreachable';
  }
}

/**
 * The default transport: node:http(s) through Node's global agents, which
 * keep connections alive (Node ≥ 19) and let an idle process exit. Not
 * `fetch`: a start over fetch cost the calling process ~0.3 ms of CPU against
 * ~0.08 ms here (same server, 64 calls in flight; undici's WHATWG streams and
 * Request/Response objects per call), and a service starting runs one by one
 * pays that on every start.
 */
export const nodeHttpTransport: HttpTransport = ({ method, url, headers, body }) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => reject(unreachable(url, error)));
      },
    );
    request.on('error', (error) => reject(unreachable(url, error)));
    request.end(body);
  });

/** A transport over a `fetch` (a caller's own, e.g. with a proxy or mocks): its bare "fetch failed" becomes FlowlineUnreachable with the cause's code. */
export function fetchTransport(fetchImpl: typeof fetch): HttpTransport {
  return async ({ method, url, headers, body }) => {
    let response: Response;
    try {
      response = await fetchImpl(url, { method, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      throw unreachable(url, error instanceof Error && error.cause instanceof Error ? error.cause : error);
    }
    return { status: response.status, text: await response.text() };
  };
}

function unreachable(url: string, error: unknown): FlowlineUnreachable {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const reason = typeof code === 'string' ? code : typeof message === 'string' && message ? message : 'connection failed';
  return new FlowlineUnreachable(url, reason, { cause: error });
}
