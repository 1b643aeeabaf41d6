import { MAX_PREVIEW, Permission, ValidationFailed } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS, ErrorBodySchema } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';
import {
  FireTimeViewSchema,
  FiringViewSchema,
  ScheduleDetailSchema,
  ScheduleViewSchema,
  toFireTimeView,
  toFiringView,
  toScheduleDetail,
  toScheduleView,
} from './scheduleView.ts';

const ScheduleParams = z.object({ id: z.string().min(1).max(20).describe('numeric schedule id') });

const ListSchedulesQuery = z.object({ workflow: z.string().max(128).optional() }).strict();

const FiringsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(32).optional().describe('nextCursor of the previous page'),
  })
  .strict();

const PreviewQuery = z.object({ count: z.coerce.number().int().min(1).max(MAX_PREVIEW).default(10) }).strict();

const FiringPage = z.object({
  items: z.array(FiringViewSchema),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
});

const Preview = z.object({
  scheduleId: z.number().int(),
  expression: z.string(),
  timeZone: z.string(),
  fireTimes: z.array(FireTimeViewSchema),
});

/** Cursors are opaque to clients: the last fire time of a page (epoch ms), base64url. */
const encodeCursor = (fireTime: Date) => Buffer.from(`f${fireTime.getTime()}`).toString('base64url');
function decodeCursor(cursor: string): Date {
  const match = /^f(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationFailed('cursor: not a cursor this API returned');
  return new Date(Number(match[1]));
}

/** `/v1/schedules`: the schedules of the caller's org's definitions, their firing ledgers, previews, pause and resume. */
export function registerScheduleRoutes(app: FastifyInstance, { engine, authority }: NativeContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const read = requirePermission(authority, Permission.READ);
  const operate = requirePermission(authority, Permission.OPERATE);

  routes.get(
    '/v1/schedules',
    {
      preHandler: read,
      schema: {
        summary: 'List schedules',
        description: 'Schedules are declared in definitions (the `schedules` array of a spec, or `defineWorkflow({ schedules })`).',
        tags: ['schedules'],
        security: BEARER_SECURITY,
        querystring: ListSchedulesQuery,
        response: { 200: z.object({ items: z.array(ScheduleViewSchema) }), ...AUTH_ERRORS },
      },
    },
    async (request) => ({ items: (await engine.listSchedules(callerOf(request).orgId, request.query.workflow)).map(toScheduleView) }),
  );

  routes.get(
    '/v1/schedules/:id',
    {
      preHandler: read,
      schema: {
        summary: 'Get a schedule with its firing counts per outcome',
        tags: ['schedules'],
        security: BEARER_SECURITY,
        params: ScheduleParams,
        response: { 200: ScheduleDetailSchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => toScheduleDetail(await engine.getSchedule(request.params.id, callerOf(request).orgId)),
  );

  routes.get(
    '/v1/schedules/:id/firings',
    {
      preHandler: read,
      schema: {
        summary: "A schedule's firing ledger, newest fire time first",
        description: 'One row per fire time, whatever its outcome; keyset paged.',
        tags: ['schedules'],
        security: BEARER_SECURITY,
        params: ScheduleParams,
        querystring: FiringsQuery,
        response: { 200: FiringPage, 400: ErrorBodySchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await engine.listFirings(request.params.id, callerOf(request).orgId, {
        limit,
        ...(cursor === undefined ? {} : { before: decodeCursor(cursor) }),
      });
      return { items: page.firings.map(toFiringView), nextCursor: page.nextBefore === undefined ? null : encodeCursor(page.nextBefore) };
    },
  );

  routes.get(
    '/v1/schedules/:id/preview',
    {
      preHandler: read,
      schema: {
        summary: 'The next N fire times',
        tags: ['schedules'],
        security: BEARER_SECURITY,
        params: ScheduleParams,
        querystring: PreviewQuery,
        response: { 200: Preview, 400: ErrorBodySchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const { schedule, fireTimes } = await engine.previewSchedule(request.params.id, callerOf(request).orgId, request.query.count);
      return {
        scheduleId: schedule.id,
        expression: schedule.expression,
        timeZone: schedule.timeZone,
        fireTimes: fireTimes.map((t) => toFireTimeView(t, schedule.timeZone)),
      };
    },
  );

  const operations = [
    ['pause', 'Pause a schedule: no fire time is decided until resume', (id: string, org: string) => engine.pauseSchedule(id, org)],
    ['resume', 'Resume a schedule from its next fire time after now; the paused time is not caught up', (id: string, org: string) => engine.resumeSchedule(id, org)],
  ] as const;
  for (const [operation, summary, apply] of operations) {
    routes.post(
      `/v1/schedules/:id/${operation}`,
      {
        preHandler: operate,
        schema: {
          summary,
          tags: ['schedules'],
          security: BEARER_SECURITY,
          params: ScheduleParams,
          response: { 200: ScheduleDetailSchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
        },
      },
      async (request) => toScheduleDetail(await apply(request.params.id, callerOf(request).orgId)),
    );
  }
}
