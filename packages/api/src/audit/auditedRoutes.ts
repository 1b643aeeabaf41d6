import type { FastifyRequest } from 'fastify';

/**
 * How a surface names the calls its routes take in the audit trail: the
 * action, and what it was about. Each surface (the native API, each dialect)
 * keeps one table of these in its own folder; the audit hook reads them all.
 */
export interface AuditedRoute {
  /** the action, or one worked out from the request; undefined when the call changes nothing (EnOS `action=search`) */
  readonly action: string | ((request: FastifyRequest) => string | undefined);
  /** what the call was about; `answer` is the response body, for ids only the answer knows (a started run) */
  readonly target?: (request: FastifyRequest, answer: () => string) => string | undefined;
}

/** A surface's audited routes, keyed `METHOD /path` as its routes are declared (relative to its prefix). */
export type AuditedRoutes = Readonly<Record<string, AuditedRoute>>;

const field = (source: unknown, name: string): string | undefined => {
  const value = source !== null && typeof source === 'object' && Object.hasOwn(source, name) ? (source as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
};

/** A path parameter. */
export const fromParam = (name: string) => (request: FastifyRequest) => field(request.params, name);
/** A field of the JSON body. */
export const fromBody = (name: string) => (request: FastifyRequest) => field(request.body, name);
/** A query parameter. */
export const fromQuery = (name: string) => (request: FastifyRequest) => field(request.query, name);

/** A field of a JSON answer (an id the call created), by its dotted path; when the call failed, what the request named instead. */
export function fromAnswer(path: string, otherwise?: (request: FastifyRequest) => string | undefined) {
  const [last, ...outer] = path.split('.').reverse() as [string, ...string[]];
  return (request: FastifyRequest, answer: () => string): string | undefined => {
    try {
      let node: unknown = JSON.parse(answer());
      for (const key of outer.reverse()) node = node !== null && typeof node === 'object' && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
      const found = field(node, last);
      if (found !== undefined) return found;
    } catch {
      // not JSON (an error page of another shape): fall back to the request
    }
    return otherwise?.(request);
  };
}
