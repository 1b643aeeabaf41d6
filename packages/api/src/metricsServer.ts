import type { CredentialAuthority, FlowlineMetrics } from '@flowline/engine';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerMetricsRoute } from './metricsRoute.ts';
import { nativeErrorReply } from './native/nativeErrors.ts';

export interface MetricsServerOptions {
  readonly port: number;
  readonly host: string;
  /** with it, /metrics takes a token of the metrics permission, as on the API port */
  readonly authority?: CredentialAuthority;
}

/**
 * The metrics port: `/metrics` and `/healthz` of a process that serves no API
 * (a worker, a scheduler), so Prometheus scrapes every process alike, or of
 * any process when the operator keeps metrics off the API port.
 */
export async function startMetricsServer(metrics: FlowlineMetrics, options: MetricsServerOptions): Promise<FastifyInstance> {
  const app = Fastify() as unknown as FastifyInstance;
  app.setErrorHandler((error, request, reply) => nativeErrorReply(error, request, reply));
  registerMetricsRoute(app, metrics, options.authority);
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ port: options.port, host: options.host });
  return app;
}
