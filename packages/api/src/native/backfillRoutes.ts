import { DEFAULT_BACKFILL_CONCURRENCY, Permission, type BackfillRecord } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS, ErrorBodySchema } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';

const BackfillBody = z
  .object({
    from: z.iso.datetime({ offset: true }).describe('the first instant of the range (ISO 8601)'),
    to: z.iso.datetime({ offset: true }).describe('the end of the range, exclusive, not after now'),
    maxConcurrent: z.number().int().min(1).max(100).optional().describe(`the backfill's runs going at once, at most (default ${DEFAULT_BACKFILL_CONCURRENCY})`),
  })
  .strict();

const BackfillViewSchema = z.object({
  id: z.string(),
  scheduleId: z.number().int(),
  from: z.string(),
  to: z.string(),
  maxConcurrent: z.number().int(),
  status: z.enum(['RUNNING', 'DONE', 'CANCELLED']),
  total: z.number().int().describe('fire times in the range'),
  started: z.number().int().describe('runs started, each with a ledger row BACKFILL'),
  skipped: z.number().int().describe('fire times the ledger already had (or the live scheduler owns): not run again'),
  nextFireTime: z.string().nullable().describe('the next fire time the backfill decides; null when it is over'),
  requestedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});

const ScheduleParams = z.object({ id: z.string().min(1).max(20).describe('numeric schedule id') });
const BackfillParams = z.object({ id: z.string().min(1).max(64) });

/** A backfill as the API shows it; instants ISO 8601 UTC. */
export function toBackfillView(b: BackfillRecord): z.infer<typeof BackfillViewSchema> {
  return {
    id: b.id,
    scheduleId: b.scheduleId,
    from: b.from.toISOString(),
    to: b.to.toISOString(),
    maxConcurrent: b.maxConcurrent,
    status: b.status,
    total: b.total,
    started: b.started,
    skipped: b.skipped,
    nextFireTime: b.cursor?.toISOString() ?? null,
    requestedBy: b.requestedBy,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
    finishedAt: b.finishedAt?.toISOString() ?? null,
  };
}

/**
 * `POST /v1/schedules/{id}/backfill` and `/v1/backfills`: a schedule's past
 * range run now, one run per fire time the ledger has no row for, worked off
 * by the schedulers' backfill loops; progress and cancel by the backfill's id.
 */
export function registerBackfillRoutes(app: FastifyInstance, { engine, authority }: NativeContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const read = requirePermission(authority, Permission.READ);
  const operate = requirePermission(authority, Permission.OPERATE);
  const tags = ['schedules'];

  routes.post(
    '/v1/schedules/:id/backfill',
    {
      preHandler: operate,
      schema: {
        summary: "Backfill a schedule: run its fire times in [from, to) that the ledger has no row for",
        description:
          'Fire times follow the schedule (Quartz or Unix cron, in its zone). Each run is a periodic run whose trigger time is its fire time, recorded in the ledger as BACKFILL; a fire time that already has a ledger row (of any outcome) is not run again, so the same backfill twice adds nothing. Answers at once (202); follow it at /v1/backfills/{id}.',
        tags,
        security: BEARER_SECURITY,
        params: ScheduleParams,
        body: BackfillBody,
        response: { 202: BackfillViewSchema, 400: ErrorBodySchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { from, to, maxConcurrent } = request.body;
      const backfill = await engine.requestBackfill({
        scheduleId: request.params.id,
        orgId: caller.orgId,
        from: new Date(from),
        to: new Date(to),
        ...(maxConcurrent === undefined ? {} : { maxConcurrent }),
        requestedBy: caller.name,
      });
      return reply.status(202).send(toBackfillView(backfill));
    },
  );

  routes.get(
    '/v1/schedules/:id/backfills',
    {
      preHandler: read,
      schema: {
        summary: "A schedule's backfills, newest first",
        tags,
        security: BEARER_SECURITY,
        params: ScheduleParams,
        response: { 200: z.object({ items: z.array(BackfillViewSchema) }), 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => ({ items: (await engine.listBackfills(request.params.id, callerOf(request).orgId)).map(toBackfillView) }),
  );

  routes.get(
    '/v1/backfills/:id',
    {
      preHandler: read,
      schema: {
        summary: 'A backfill and its progress',
        tags,
        security: BEARER_SECURITY,
        params: BackfillParams,
        response: { 200: BackfillViewSchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => toBackfillView(await engine.getBackfill(request.params.id, callerOf(request).orgId)),
  );

  routes.post(
    '/v1/backfills/:id/cancel',
    {
      preHandler: operate,
      schema: {
        summary: 'Stop a running backfill after its batch in progress',
        description: 'The runs it started go on; the fire times it had not reached stay without a ledger row.',
        tags,
        security: BEARER_SECURITY,
        params: BackfillParams,
        response: { 200: BackfillViewSchema, 404: ErrorBodySchema, 409: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => toBackfillView(await engine.stopBackfill(request.params.id, callerOf(request).orgId)),
  );
}
