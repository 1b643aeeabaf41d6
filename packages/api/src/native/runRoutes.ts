import type { Engine } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RunViewSchema, toRunView } from './runView.ts';

const StartRunBody = z
  .object({
    workflow: z.string().min(1).max(128).describe('definition name, e.g. BackupCluster'),
    bizId: z.string().min(1).max(256).optional(),
    bizType: z.string().max(128).optional(),
    input: z.record(z.string(), z.unknown()).optional(),
    idempotencyKey: z.string().min(1).max(256).optional().describe('the same key returns the same run, never a second'),
  })
  .strict();

const RunParams = z.object({ id: z.string().min(1).max(64) });

/** `/v1/runs`: start a run, read it back. */
export function registerRunRoutes(app: FastifyInstance, engine: Engine): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/v1/runs',
    {
      schema: {
        summary: 'Start a run of a workflow',
        tags: ['runs'],
        body: StartRunBody,
        response: { 201: RunViewSchema, 200: RunViewSchema },
      },
    },
    async (request, reply) => {
      const { run, created } = await engine.startRun(request.body);
      return reply.status(created ? 201 : 200).send(toRunView(run));
    },
  );

  routes.get(
    '/v1/runs/:id',
    { schema: { summary: 'Get a run with its nodes', tags: ['runs'], params: RunParams, response: { 200: RunViewSchema } } },
    async (request) => toRunView(await engine.getRun(request.params.id)),
  );
}
