import type { Engine } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';

/** Liveness (the process answers) and readiness (Postgres and Redis answer). */
export function registerHealthRoutes(app: FastifyInstance, engine: Engine): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks = await Promise.allSettled([engine.db.pool.query('SELECT 1'), engine.redis.ping()]);
    const [postgres, redis] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'down'));
    const ready = postgres === 'ok' && redis === 'ok';
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', postgres, redis });
  });
}
