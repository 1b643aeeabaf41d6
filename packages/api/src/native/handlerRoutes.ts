import { Permission, type HandlerTypeRecord } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';

const ServingWorkerSchema = z.object({
  id: z.string().describe("the worker's lease owner id, as node leases name it"),
  host: z.string(),
  pid: z.number().int(),
  startedAt: z.string().datetime(),
  heartbeatAt: z.string().datetime(),
});

const HandlerTypeViewSchema = z.object({
  name: z.string().describe('what a definition names as a node `type` (or a `code` node\'s `handler`): a built-in, or `<workflow>.<node>` of a code workflow'),
  builtin: z.boolean().describe('served by every worker'),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()).nullable().describe('JSON Schema of the run input the handler expects; null when it takes any'),
  registeredAt: z.string().datetime().describe('when a worker last registered it'),
  workers: z.array(ServingWorkerSchema).describe('the live workers serving it (heartbeating within their lease); none: its nodes wait for one'),
});

function toView(h: HandlerTypeRecord): z.infer<typeof HandlerTypeViewSchema> {
  return {
    ...h,
    registeredAt: h.registeredAt.toISOString(),
    workers: h.workers.map((w) => ({ ...w, startedAt: w.startedAt.toISOString(), heartbeatAt: w.heartbeatAt.toISOString() })),
  };
}

/** `/v1/handlers`: the handler types workers registered, and which live workers serve each. */
export function registerHandlerRoutes(app: FastifyInstance, { engine, authority }: NativeContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/handlers',
    {
      preHandler: requirePermission(authority, Permission.READ),
      schema: {
        summary: 'List handler types and the workers serving them',
        description:
          'Every handler type a worker registered (built-ins first), with its description, the JSON Schema of the run input it expects, and the live workers serving it. A JSON definition may name any of them as a node type.',
        tags: ['handlers'],
        security: BEARER_SECURITY,
        response: { 200: z.object({ items: z.array(HandlerTypeViewSchema) }), ...AUTH_ERRORS },
      },
    },
    async () => ({ items: (await engine.listHandlerTypes()).map(toView) }),
  );
}
