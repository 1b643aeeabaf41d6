import { DeliveryStatus, Permission, type DeliveryRecord } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS, ErrorBodySchema } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';

const AttemptViewSchema = z.object({
  attempt: z.number().int(),
  startedAt: z.string(),
  endedAt: z.string(),
  httpStatus: z.number().int().nullable().describe("the receiver's answer; null when none came (refused, timed out, denied by the egress policy)"),
  error: z.string().nullable(),
  sender: z.string().describe('the process that sent it'),
});

const DeliveryViewSchema = z.object({
  id: z.string().describe('the event id, sent as the Idempotency-Key and flowline-event-id headers'),
  webhookId: z.string(),
  event: z.string().describe('FAIL, TIMEOUT, SUCCESS, CANCEL or SLA_MISSED'),
  occurredAt: z.string(),
  url: z.string(),
  status: z.enum([DeliveryStatus.PENDING, DeliveryStatus.DELIVERED, DeliveryStatus.DEAD]),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable().describe('when it is tried next; null once delivered or given up'),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  attemptLog: z.array(AttemptViewSchema),
});

function toDeliveryView(d: DeliveryRecord): z.infer<typeof DeliveryViewSchema> {
  return {
    ...d,
    occurredAt: d.occurredAt.toISOString(),
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    attemptLog: d.attemptLog.map((a) => ({ ...a, startedAt: a.startedAt.toISOString(), endedAt: a.endedAt.toISOString() })),
  };
}

/** `GET /v1/runs/{id}/notifications`: what a run's webhooks were told, and how each delivery went, attempt by attempt. */
export function registerNotificationRoutes(app: FastifyInstance, { engine, authority }: NativeContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/runs/:id/notifications',
    {
      preHandler: requirePermission(authority, Permission.READ),
      schema: {
        summary: "A run's notifications: each event's delivery to each webhook, with its attempts",
        tags: ['runs'],
        security: BEARER_SECURITY,
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: z.object({ items: z.array(DeliveryViewSchema) }), 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => ({ items: (await engine.runNotifications(request.params.id, callerOf(request).orgId)).map(toDeliveryView) }),
  );
}
