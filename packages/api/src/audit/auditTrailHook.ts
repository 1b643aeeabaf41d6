import type { Engine } from '@flowline/engine';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditedRoute, AuditedRoutes } from './auditedRoutes.ts';

/** A surface whose calls the trail records: its name, the prefix of its routes, and its table. */
export interface AuditedSurface {
  readonly name: string;
  readonly prefix: string;
  readonly routes: AuditedRoutes;
}

/** Methods that may change something; GET and HEAD never do, and are not recorded. */
const CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Native callers that say which client they are; anything else is `native`. */
const CLIENT_SURFACES = new Set(['cli', 'ui']);

/** Columns are text: a request may name anything, the trail keeps a bounded, storable excerpt. */
const storable = (text: string, max = 256) => text.replaceAll('\u0000', '').slice(0, max);

/**
 * The audit trail's one place in the API: a hook on every response that
 * appends a row for each call of a changing method to a route — whatever the
 * surface, whatever the outcome (a refused credential and a 409 included) —
 * before the answer leaves, so a caller who has the answer can find the row.
 * Routes name their action in their surface's table; a changing route that no
 * table names is still recorded, under `METHOD /route`, so nothing escapes
 * the trail by being forgotten.
 *
 * The native API's `x-flowline-surface: cli | ui` header (sent by the CLI and
 * the web UI) tells those clients apart; it says where a call came from, never
 * who made it: that is the principal its credential resolved to.
 */
export function registerAuditTrail(app: FastifyInstance, engine: Engine, surfaces: readonly AuditedSurface[]): void {
  const table = new Map<string, { surface: string; entry: AuditedRoute }>();
  for (const surface of surfaces) {
    for (const [key, entry] of Object.entries(surface.routes)) {
      const [method, path] = key.split(' ') as [string, string];
      table.set(`${method} ${surface.prefix}${path === '/' && surface.prefix ? '' : path}`, { surface: surface.name, entry });
    }
  }

  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url;
    if (!CHANGING_METHODS.has(request.method) || route === undefined) return payload;
    const found = table.get(`${request.method} ${route}`);
    const action = found === undefined ? `${request.method} ${route}` : actionOf(found.entry, request);
    if (action === undefined) return payload;
    const answer = () => (typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '');
    const principal = request.principal;
    try {
      await engine.recordAudit({
        at: engine.now(),
        principal: principal && { id: principal.id, name: principal.name, orgId: principal.orgId, role: principal.role },
        action,
        target: storable(found?.entry.target?.(request, answer) ?? ''),
        surface: found?.surface === 'native' || found === undefined ? nativeSurface(request) : found.surface,
        address: storable(request.ip, 64),
        method: request.method,
        route: storable(route),
        httpStatus: reply.statusCode,
      });
    } catch (error) {
      // The call is done either way: a trail that cannot be written is logged, not turned into the caller's failure.
      request.log.error({ err: error, action, route }, 'audit trail append failed');
    }
    return payload;
  });
}

function actionOf(entry: AuditedRoute, request: FastifyRequest): string | undefined {
  return typeof entry.action === 'string' ? entry.action : entry.action(request);
}

function nativeSurface(request: FastifyRequest): string {
  const said = request.headers['x-flowline-surface'];
  return typeof said === 'string' && CLIENT_SURFACES.has(said) ? said : 'native';
}
