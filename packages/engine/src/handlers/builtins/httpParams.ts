import { z } from 'zod';

/** A value kept as a `secret` credential of the run's org, named instead of written into the definition. */
export const SecretRefSchema = z.object({ secretRef: z.string().min(1).max(128) }).strict();
export type SecretRef = z.infer<typeof SecretRefSchema>;

/**
 * Header names whose values are credentials: these may not be written inline
 * (they would show in definitions, node parameters and every dialect's view)
 * and are redacted wherever an older definition still holds one.
 */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|api[-_]?key|token|secret|passw|auth|session|signature/i;

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

export const HttpParamsSchema = z
  .object({
    url: z.string().url(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    headers: z.record(z.string().min(1).max(256), z.union([z.string().max(16_384), SecretRefSchema])).default({}),
    body: z.unknown().optional(),
    /** responses with a status outside 200–399 fail the node unless listed here */
    acceptStatus: z.array(z.number().int()).default([]),
  })
  .passthrough();
export type HttpParams = z.output<typeof HttpParamsSchema>;

/**
 * What a definition's http node may say: the shape above, with every
 * credential header given as `{"secretRef": "…"}`. Checked when a definition
 * is stored; the handler itself still runs definitions stored before this rule.
 */
export function httpParamsProblem(params: unknown): string | undefined {
  const parsed = HttpParamsSchema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.') || 'params'}: ${issue.message}`;
  }
  const inline = Object.entries(parsed.data.headers).find(([name, value]) => typeof value === 'string' && isCredentialHeader(name));
  if (inline) {
    return `headers.${inline[0]}: a credential header is not written inline; issue it as a credential of kind secret and write {"secretRef": "<its name>"}`;
  }
  return undefined;
}

export const REDACTED = '[redacted]';

/**
 * A node's parameters as views show them: the value of every credential
 * header of an http node written inline (before secretRef) replaced by
 * `[redacted]`; secret references stay, as they name no value.
 */
export function redactNodeParams(type: string, params: unknown): unknown {
  if (type !== 'http' || params === null || typeof params !== 'object' || Array.isArray(params)) return params;
  const headers = (params as { headers?: unknown }).headers;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return params;
  const redacted = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, typeof value === 'string' && isCredentialHeader(name) ? REDACTED : value]),
  );
  return { ...params, headers: redacted };
}
