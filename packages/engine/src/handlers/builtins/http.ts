import { EgressPolicy } from '../egress/egressPolicy.ts';
import { DEFAULT_MAX_RESPONSE_BYTES, egressRequest, systemResolver, type HostResolver } from '../egress/egressRequest.ts';
import type { SecretResolver } from '../../auth/sealedSecrets.ts';
import type { NodeHandler } from '../nodeHandler.ts';
import { HttpParamsSchema, REDACTED, isCredentialHeader } from './httpParams.ts';

const EXCERPT_BYTES = 2048;
const MAX_REDIRECTS = 5;

/** How a process's `http` nodes reach out: where they may connect, how they open secrets, how much they read. */
export interface HttpNodeOptions {
  /** where the node may connect (FLOWLINE_HTTP_ALLOW / _DENY); default: the public internet only */
  readonly egress?: EgressPolicy;
  /** opens `{"secretRef": "…"}` header values; without it such a node fails */
  readonly secrets?: SecretResolver;
  readonly maxResponseBytes?: number;
  /** how host names resolve; tests stub it */
  readonly resolver?: HostResolver;
}

/** Postgres text and jsonb cannot hold U+0000; a response may. */
const storable = (text: string) => text.replaceAll('\u0000', '\uFFFD');

/**
 * The `http` node: calls a URL and records the status and a body excerpt in
 * the node's result. The idempotency key is sent as `Idempotency-Key`, so a
 * receiving service can drop a repeat after a worker crash. Only targets the
 * egress policy allows are reached, redirects included; at most
 * `maxResponseBytes` of a body are read; header values named by `secretRef`
 * are opened here and never written to the result, the output or an error.
 */
export function httpHandler(options: HttpNodeOptions = {}): NodeHandler {
  const policy = options.egress ?? EgressPolicy.of();
  const resolver = options.resolver ?? systemResolver;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  return async (ctx) => {
    const p = HttpParamsSchema.parse(ctx.params);
    const secretValues: string[] = [];
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(p.headers)) {
      if (typeof value === 'string') {
        headers[name] = value;
        if (isCredentialHeader(name) && value !== '') secretValues.push(value);
        continue;
      }
      if (!options.secrets) throw new Error(`headers.${name}: this worker has no secret store to open secretRef ${JSON.stringify(value.secretRef)}`);
      const secret = await options.secrets.resolve(ctx.runId, value.secretRef);
      if (secret === undefined) throw new Error(`headers.${name}: the org has no live secret named ${JSON.stringify(value.secretRef)}`);
      headers[name] = secret;
      if (secret !== '') secretValues.push(secret);
    }
    // A server may echo what it was sent (httpbin does): no result text, output or error carries a secret.
    const redact = (text: string) => storable(secretValues.reduce((t, secret) => t.replaceAll(secret, REDACTED), text));

    const target = new URL(p.url);
    const shown = redact(`${p.method} ${target.username || target.password ? p.url.replace(/\/\/[^@/]*@/, '//') : p.url}`);
    const hasBody = p.body !== undefined && p.method !== 'GET' && p.method !== 'HEAD';
    const credentialHeaders = new Set(Object.keys(p.headers).filter((name) => isCredentialHeader(name) || typeof p.headers[name] !== 'string').map((n) => n.toLowerCase()));
    let response;
    try {
      response = await egressRequest(
        {
          url: p.url,
          method: p.method,
          headers: {
            'idempotency-key': ctx.idempotencyKey,
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          ...(hasBody ? { body: typeof p.body === 'string' ? p.body : JSON.stringify(p.body) } : {}),
          credentialHeaders,
        },
        { policy, resolver, maxResponseBytes, excerptBytes: EXCERPT_BYTES, maxRedirects: MAX_REDIRECTS, signal: ctx.signal },
      );
    } catch (error) {
      throw new Error(`${shown}: ${redact((error as Error).message)}`);
    }
    const text = redact(response.excerpt.toString('utf8'));
    const excerpt = response.bytesRead > EXCERPT_BYTES ? `${text}…` : text;
    ctx.log(`${shown} -> ${response.status}`);
    if (excerpt) ctx.log(excerpt);
    if (response.cut) ctx.log(`(stopped reading the response after ${maxResponseBytes} bytes)`);
    const ok = (response.status >= 200 && response.status < 400) || p.acceptStatus.includes(response.status);
    // Coded so that a definition can list the answers not worth retrying (retry.nonRetryable: ["HTTP_404"]).
    if (!ok) throw Object.assign(new Error(`${shown} answered ${response.status}`), { code: `HTTP_${response.status}` });
    return { status: response.status, body: excerpt };
  };
}
