import { Permission, type CredentialAuthority, type FlowlineMetrics } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import { requirePermission } from './auth/nativeAuth.ts';

/**
 * `GET /metrics` in Prometheus' text format. Its series name every org's
 * workflows, so with `authority` it answers only a bearer token whose role
 * grants `metrics` (the metrics role, a superadmin; Prometheus sends it with
 * `authorization.credentials`). Without one it is open: the operator chose
 * FLOWLINE_METRICS_ACCESS=port, a port of its own bound to loopback by default.
 * The text is rendered at most once per cache period however many scrape
 * (FlowlineMetrics.exposition), so scrapers cannot load the API.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: FlowlineMetrics, authority: CredentialAuthority | undefined): void {
  app.get(
    '/metrics',
    { schema: { hide: true }, ...(authority ? { preHandler: requirePermission(authority, Permission.METRICS) } : {}) },
    async (_request, reply) => {
      const { contentType, body } = await metrics.exposition();
      return reply.type(contentType).send(body);
    },
  );
}
