import type { FlowlineMetrics } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';

/**
 * `GET /metrics` in Prometheus' text format. Unauthenticated, like /healthz:
 * scrapers rarely carry bearer tokens, and the numbers name workflows, never
 * their inputs. Put it behind the network's own rules where that matters.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: FlowlineMetrics): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).send(body);
  });
}
