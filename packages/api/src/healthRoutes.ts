import type { Engine } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';

/**
 * Liveness (the process answers) and readiness (Postgres and Redis answer; when one does not, `reasons` says why).
 * With a read replica, `readReplica` tells which server serves history reads, its lag, and why not the replica.
 */
export function registerHealthRoutes(app: FastifyInstance, engine: Engine): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const { readReplica, ...health } = await engine.checkHealth();
    const [postgres, redis] = [health.postgres, health.redis].map((reason) => (reason === undefined ? 'ok' : 'down'));
    const ready = postgres === 'ok' && redis === 'ok';
    const reasons = Object.fromEntries(Object.entries(health).filter(([, reason]) => reason !== undefined));
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not ready', postgres, redis, ...(readReplica ? { readReplica } : {}), ...(ready ? {} : { reasons }) });
  });
}
