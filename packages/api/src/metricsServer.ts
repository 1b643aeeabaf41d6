import type { FlowlineMetrics } from '@flowline/engine';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerMetricsRoute } from './metricsRoute.ts';

/**
 * The HTTP face of a process that serves no API (a worker, a scheduler):
 * just `/metrics` and `/healthz`, so Prometheus scrapes every process alike.
 */
export async function startMetricsServer(metrics: FlowlineMetrics, port: number, host: string): Promise<FastifyInstance> {
  const app = Fastify() as unknown as FastifyInstance;
  registerMetricsRoute(app, metrics);
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ port, host });
  return app;
}
