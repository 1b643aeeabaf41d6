import { ErrorCode, FlowlineError, MAX_RUN_PRIORITY, MIN_RUN_PRIORITY, Permission, Status, ValidationFailed, clientFaultOf, type RunFamily, type RunWithNodes, type StartedRun, type StatusName } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS, ErrorBodySchema } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';
import { NO_FAMILY, RunSummarySchema, RunViewSchema, readyHandlerTypes, toRunSummary, toRunView } from './runView.ts';
import { parseStatuses } from './statusNames.ts';

const StartRunBody = z
  .object({
    workflow: z.string().min(1).max(128).describe('definition name, e.g. BackupCluster'),
    bizId: z.string().min(1).max(256).optional(),
    bizType: z.string().max(128).optional(),
    input: z.record(z.string(), z.unknown()).optional(),
    idempotencyKey: z.string().min(1).max(256).optional().describe('the same key returns the same run, never a second'),
    priority: z
      .number()
      .int()
      .min(MIN_RUN_PRIORITY)
      .max(MAX_RUN_PRIORITY)
      .optional()
      .describe(`its nodes are dispatched before those of runs of lower priority (${MIN_RUN_PRIORITY} to ${MAX_RUN_PRIORITY}, default 0)`),
  })
  .strict();

/** At most this many starts per `POST /v1/runs:batch`: one statement's worth, as the bulk operations' id lists. */
export const MAX_BATCH_STARTS = 1000;

const StartBatchBody = z
  .object({
    runs: z.array(StartRunBody).min(1).max(MAX_BATCH_STARTS).describe(`the starts, at most ${MAX_BATCH_STARTS}; each answered on its own, in order`),
  })
  .strict();

const BatchItemSchema = z.union([
  z.object({
    created: z.boolean().describe('false when its idempotencyKey named an existing run, which is answered instead'),
    run: z.object({ id: z.string(), seq: z.number().int(), workflow: z.string(), bizId: z.string(), status: z.string() }),
  }),
  z.object({ error: z.object({ code: z.string(), message: z.string() }).describe('why this start failed; the others are unaffected') }),
]);

const StartBatchAnswer = z.object({
  items: z.array(BatchItemSchema).describe('one per start, in the order asked'),
  created: z.number().int(),
  existing: z.number().int().describe('starts whose idempotencyKey named an existing run'),
  failed: z.number().int(),
});

type BatchItem = z.infer<typeof BatchItemSchema>;

const RunParams = z.object({ id: z.string().min(1).max(64).describe('22-char run id') });
const NodeParams = RunParams.extend({ node: z.string().min(1).max(128) });

const STATUS_NAMES = Object.keys(Status) as StatusName[];

const ListRunsQuery = z
  .object({
    workflow: z.string().max(128).optional(),
    status: z
      .string()
      .max(200)
      .optional()
      .describe(`comma-separated status names or codes, e.g. "FAIL,TIMEOUT" or "-1,7"; names: ${STATUS_NAMES.join(', ')}`),
    bizId: z.string().max(256).optional(),
    bizType: z.string().max(128).optional(),
    from: z.iso.datetime({ offset: true }).optional().describe('created at or after (ISO 8601)'),
    to: z.iso.datetime({ offset: true }).optional().describe('created before (ISO 8601)'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(32).optional().describe('nextCursor of the previous page'),
  })
  .strict();

const RunPage = z.object({
  items: z.array(RunSummarySchema),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
});

/** Cursors are opaque to clients: the last seq of a page, base64url. */
const encodeCursor = (seq: number) => Buffer.from(`s${seq}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const match = /^s(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationFailed('cursor: not a cursor this API returned');
  return Number(match[1]);
}

/** `/v1/runs`: start, list, read and operate runs. */
export function registerRunRoutes(app: FastifyInstance, { engine, authority }: NativeContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const read = requirePermission(authority, Permission.READ);
  const operate = requirePermission(authority, Permission.OPERATE);
  // Versions are immutable and their DAGs cached: the edges cost no query after the first.
  const view = async (run: RunWithNodes, family?: RunFamily) => {
    const dag = await engine.definitionDag(run.definitionId, run.definitionVersion);
    // Only a READY node can be waiting for a worker: the fleet is asked about its handler types only then.
    const waiting = readyHandlerTypes(run, dag);
    const served = waiting.length > 0 ? await engine.servedHandlerTypes(waiting) : undefined;
    return toRunView(run, dag, served, family ?? (await engine.runFamily(run.uuid)));
  };

  routes.post(
    '/v1/runs',
    {
      preHandler: operate,
      schema: {
        summary: 'Start a run of a workflow',
        description:
          'Writes the run and its nodes, then dispatches the root nodes. With an idempotencyKey already used, returns that run (200) instead of starting another. A run of a workflow with a concurrency limit over its limit is written READY with its root nodes WAIT, and admitted (first started first per key) as runs of its key end.',
        tags: ['runs'],
        security: BEARER_SECURITY,
        body: StartRunBody,
        response: { 201: RunViewSchema, 200: RunViewSchema, 400: ErrorBodySchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { run, created } = await engine.startRun({ ...request.body, orgId: caller.orgId, owner: caller.name });
      // A run this request created has no links yet; one its idempotency key named may have children.
      return reply.status(created ? 201 : 200).send(await view(run, created ? NO_FAMILY : undefined));
    },
  );

  routes.post(
    // `::` is find-my-way's escaped colon: the path is /v1/runs:batch, as the bulk operations' /v1/runs:cancel.
    '/v1/runs::batch',
    {
      preHandler: operate,
      // 1,000 starts with their inputs outgrow the server's 1 MiB default.
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        summary: 'Start many runs at once',
        description: `Up to ${MAX_BATCH_STARTS} starts, each as POST /v1/runs takes it, written in one statement and dispatched in one bulk add. Answered 200 with one item per start, in order: the run (created, or the one its idempotencyKey named) or the error of that start alone.`,
        tags: ['runs'],
        security: BEARER_SECURITY,
        body: StartBatchBody,
        response: { 200: StartBatchAnswer, 400: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const settled = await engine.startRuns(request.body.runs.map((start) => ({ ...start, orgId: caller.orgId, owner: caller.name })));
      const items = settled.map((outcome): BatchItem => {
        if (outcome.status === 'fulfilled') return batchItem(outcome.value);
        const fault = clientFaultOf(outcome.reason) ?? outcome.reason;
        if (fault instanceof FlowlineError) return { error: { code: fault.code, message: fault.message } };
        request.log.error({ err: outcome.reason }, 'a start of a batch failed');
        return { error: { code: ErrorCode.INTERNAL, message: 'internal error; see the server log' } };
      });
      const created = items.filter((item) => 'created' in item && item.created).length;
      const failed = items.filter((item) => 'error' in item).length;
      return { items, created, existing: items.length - created - failed, failed };
    },
  );

  routes.get(
    '/v1/runs',
    {
      preHandler: read,
      schema: {
        summary: 'List runs, newest first',
        description: 'Keyset paged: each page costs the same however deep. Filters combine with AND.',
        tags: ['runs'],
        security: BEARER_SECURITY,
        querystring: ListRunsQuery,
        response: { 200: RunPage, 400: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const { runs, nextBeforeSeq } = await engine.listRuns(
        {
          orgId: callerOf(request).orgId,
          ...(q.workflow === undefined ? {} : { workflow: q.workflow }),
          ...(q.status === undefined ? {} : { statuses: parseStatuses(q.status) }),
          ...(q.bizId === undefined ? {} : { bizId: q.bizId }),
          ...(q.bizType === undefined ? {} : { bizType: q.bizType }),
          ...(q.from === undefined ? {} : { createdFrom: new Date(q.from) }),
          ...(q.to === undefined ? {} : { createdTo: new Date(q.to) }),
        },
        { limit: q.limit, ...(q.cursor === undefined ? {} : { beforeSeq: decodeCursor(q.cursor) }) },
      );
      return { items: runs.map(toRunSummary), nextCursor: nextBeforeSeq === undefined ? null : encodeCursor(nextBeforeSeq) };
    },
  );

  routes.get(
    '/v1/runs/:id',
    {
      preHandler: read,
      schema: {
        summary: 'Get a run with its nodes',
        tags: ['runs'],
        security: BEARER_SECURITY,
        params: RunParams,
        response: { 200: RunViewSchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => view(await engine.getRun(request.params.id, callerOf(request).orgId)),
  );

  const operations = [
    ['cancel', 'Cancel a run: pending nodes are cancelled, running handlers aborted', (id: string, org: string) => engine.cancelRun(id, org)],
    ['suspend', 'Suspend a run: nothing new starts until resume', (id: string, org: string) => engine.suspendRun(id, org)],
    ['resume', 'Resume a suspended run', (id: string, org: string) => engine.resumeRun(id, org)],
    ['rerun', 'Rerun a failed or cancelled run from its failed nodes', (id: string, org: string) => engine.rerunRun(id, org)],
  ] as const;
  for (const [operation, summary, apply] of operations) {
    routes.post(
      `/v1/runs/:id/${operation}`,
      {
        preHandler: operate,
        schema: {
          summary,
          tags: ['runs'],
          security: BEARER_SECURITY,
          params: RunParams,
          response: { 200: RunViewSchema, 404: ErrorBodySchema, 409: ErrorBodySchema, ...AUTH_ERRORS },
        },
      },
      async (request) => view(await apply(request.params.id, callerOf(request).orgId)),
    );
  }

  routes.post(
    '/v1/runs/:id/nodes/:node/skip',
    {
      preHandler: operate,
      schema: {
        summary: 'Skip a node that has not been reached yet',
        tags: ['runs'],
        security: BEARER_SECURITY,
        params: NodeParams,
        response: { 200: RunViewSchema, 404: ErrorBodySchema, 409: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => view(await engine.skipNode(request.params.id, request.params.node, callerOf(request).orgId)),
  );
}

/** A started run as a batch answers it: its identity, not its input or nodes, so 1,000 starts answer in a few tens of KB. */
function batchItem({ run, created }: StartedRun): BatchItem {
  return { created, run: { id: run.id, seq: run.seq, workflow: run.workflow, bizId: run.bizId, status: run.statusName } };
}
