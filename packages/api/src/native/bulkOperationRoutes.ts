import { BulkAction, MAX_BULK_IDS, Permission, ValidationFailed, statusName, type BulkOperationRecord, type BulkRunFilter } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS, ErrorBodySchema } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';
import { parseStatuses } from './statusNames.ts';

const RunFilterBody = z
  .object({
    workflow: z.string().min(1).max(128).optional(),
    status: z.string().min(1).max(200).optional().describe('comma-separated status names or codes, e.g. "FAIL,TIMEOUT"'),
    bizType: z.string().max(128).optional(),
    from: z.iso.datetime({ offset: true }).optional().describe('created at or after (ISO 8601)'),
    to: z.iso.datetime({ offset: true }).optional().describe('created before (ISO 8601)'),
  })
  .strict();

const BulkBody = z
  .object({
    ids: z.array(z.string().min(1).max(64)).min(1).max(MAX_BULK_IDS).optional().describe(`run ids, at most ${MAX_BULK_IDS}`),
    filter: RunFilterBody.optional().describe("every run of the caller's org the filter selects when asked (runs started later are not touched)"),
  })
  .strict();

const BulkOperationViewSchema = z.object({
  id: z.string(),
  action: z.enum([BulkAction.CANCEL, BulkAction.RERUN, BulkAction.RESUME]),
  status: z.enum(['RUNNING', 'DONE', 'CANCELLED']),
  selector: z.object({ ids: z.array(z.string()).optional(), filter: RunFilterBody.optional() }),
  total: z.number().int().describe('runs selected when asked'),
  processed: z.number().int(),
  succeeded: z.number().int(),
  skipped: z.number().int().describe('runs the action did not apply to: already ended, not suspended, gone'),
  failed: z.number().int(),
  errors: z.array(z.object({ runId: z.string(), code: z.string(), message: z.string() })).describe('the latest failures'),
  requestedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});

const IdParams = z.object({ id: z.string().min(1).max(64) });

function toFilter(body: z.infer<typeof RunFilterBody>): BulkRunFilter {
  return {
    ...(body.workflow === undefined ? {} : { workflow: body.workflow }),
    ...(body.status === undefined ? {} : { statuses: parseStatuses(body.status) }),
    ...(body.bizType === undefined ? {} : { bizType: body.bizType }),
    ...(body.from === undefined ? {} : { createdFrom: new Date(body.from) }),
    ...(body.to === undefined ? {} : { createdTo: new Date(body.to) }),
  };
}

function toFilterView(filter: BulkRunFilter): z.infer<typeof RunFilterBody> {
  return {
    ...(filter.workflow === undefined ? {} : { workflow: filter.workflow }),
    ...(filter.statuses === undefined ? {} : { status: filter.statuses.map(statusName).join(',') }),
    ...(filter.bizType === undefined ? {} : { bizType: filter.bizType }),
    ...(filter.createdFrom === undefined ? {} : { from: filter.createdFrom.toISOString() }),
    ...(filter.createdTo === undefined ? {} : { to: filter.createdTo.toISOString() }),
  };
}

/** A bulk operation as the API shows it. */
export function toBulkOperationView(b: BulkOperationRecord): z.infer<typeof BulkOperationViewSchema> {
  return {
    id: b.id,
    action: b.action,
    status: b.status,
    selector: 'ids' in b.selector ? { ids: [...b.selector.ids] } : { filter: toFilterView(b.selector.filter) },
    total: b.total,
    processed: b.processed,
    succeeded: b.succeeded,
    skipped: b.skipped,
    failed: b.failed,
    errors: [...b.errors],
    requestedBy: b.requestedBy,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
    finishedAt: b.finishedAt?.toISOString() ?? null,
  };
}

const SUMMARIES: Record<BulkAction, string> = {
  cancel: 'Cancel many runs',
  rerun: 'Rerun many failed or cancelled runs',
  resume: 'Resume many suspended runs',
};

/**
 * `POST /v1/runs:cancel|:rerun|:resume` and `/v1/bulk-operations`: an
 * operation over many runs, by ids or a filter, answered at once with its id
 * (202) and worked off in batches by the workers' bulk loops; its progress is
 * read with `GET /v1/bulk-operations/{id}`.
 */
export function registerBulkOperationRoutes(app: FastifyInstance, { engine, authority }: NativeContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const read = requirePermission(authority, Permission.READ);
  const operate = requirePermission(authority, Permission.OPERATE);
  const tags = ['bulk operations'];

  for (const action of [BulkAction.CANCEL, BulkAction.RERUN, BulkAction.RESUME]) {
    routes.post(
      // `::` is find-my-way's escaped colon: the path is /v1/runs:cancel, as in Google's custom methods.
      `/v1/runs::${action}`,
      {
        preHandler: operate,
        schema: {
          summary: SUMMARIES[action],
          description: `Either \`ids\` (at most ${MAX_BULK_IDS}) or a \`filter\` (at least one field). Answers at once (202); the runs are worked off in batches of 100, resumable after a crash. Read the progress at /v1/bulk-operations/{id}.`,
          tags,
          security: BEARER_SECURITY,
          body: BulkBody,
          response: { 202: BulkOperationViewSchema, 400: ErrorBodySchema, ...AUTH_ERRORS },
        },
      },
      async (request, reply) => {
        const { ids, filter } = request.body;
        if ((ids === undefined) === (filter === undefined)) throw new ValidationFailed('give either ids or a filter');
        const caller = callerOf(request);
        const operation = await engine.requestBulkOperation({
          orgId: caller.orgId,
          action,
          selector: ids === undefined ? { filter: toFilter(filter!) } : { ids },
          requestedBy: caller.name,
        });
        return reply.status(202).send(toBulkOperationView(operation));
      },
    );
  }

  routes.get(
    '/v1/bulk-operations',
    {
      preHandler: read,
      schema: {
        summary: "The org's latest bulk operations, newest first",
        tags,
        security: BEARER_SECURITY,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
        response: { 200: z.object({ items: z.array(BulkOperationViewSchema) }), ...AUTH_ERRORS },
      },
    },
    async (request) => ({ items: (await engine.listBulkOperations(callerOf(request).orgId, request.query.limit)).map(toBulkOperationView) }),
  );

  routes.get(
    '/v1/bulk-operations/:id',
    {
      preHandler: read,
      schema: {
        summary: 'A bulk operation and its progress',
        tags,
        security: BEARER_SECURITY,
        params: IdParams,
        response: { 200: BulkOperationViewSchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => toBulkOperationView(await engine.getBulkOperation(request.params.id, callerOf(request).orgId)),
  );

  routes.post(
    '/v1/bulk-operations/:id/cancel',
    {
      preHandler: operate,
      schema: {
        summary: 'Stop a running bulk operation after its batch in progress',
        description: 'What it did stays done; the runs it had not reached are left as they are.',
        tags,
        security: BEARER_SECURITY,
        params: IdParams,
        response: { 200: BulkOperationViewSchema, 404: ErrorBodySchema, 409: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => toBulkOperationView(await engine.stopBulkOperation(request.params.id, callerOf(request).orgId)),
  );
}
