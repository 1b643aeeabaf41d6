import { z } from 'zod';
import type { NodeHandler } from '../nodeHandler.ts';

const Params = z
  .object({
    url: z.string().url(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional(),
    /** responses with a status outside 200–399 fail the node unless listed here */
    acceptStatus: z.array(z.number().int()).default([]),
  })
  .passthrough();

const EXCERPT_BYTES = 2048;

/**
 * Calls a URL and records the status and a body excerpt in the node's result.
 * The idempotency key is sent as `Idempotency-Key`, so a receiving service can
 * drop a repeat after a worker crash.
 */
export const httpHandler: NodeHandler = async (ctx) => {
  const p = Params.parse(ctx.params);
  const hasBody = p.body !== undefined && p.method !== 'GET' && p.method !== 'HEAD';
  const response = await fetch(p.url, {
    method: p.method,
    headers: {
      'idempotency-key': ctx.idempotencyKey,
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...p.headers,
    },
    ...(hasBody ? { body: typeof p.body === 'string' ? p.body : JSON.stringify(p.body) } : {}),
    signal: ctx.signal,
  });
  const text = await response.text();
  const excerpt = text.length > EXCERPT_BYTES ? `${text.slice(0, EXCERPT_BYTES)}…` : text;
  ctx.log(`${p.method} ${p.url} -> ${response.status}`);
  if (excerpt) ctx.log(excerpt);
  const ok = (response.status >= 200 && response.status < 400) || p.acceptStatus.includes(response.status);
  if (!ok) throw new Error(`${p.method} ${p.url} answered ${response.status}`);
  return { status: response.status, body: excerpt };
};
