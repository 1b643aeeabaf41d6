import { isTerminal, MAX_PAGE_DEPTH, Permission, RunOrderColumn, Status, type RunFilter } from '@flowline/engine';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { callerOf } from '../../auth/nativeAuth.ts';
import { parseRequest } from '../parseRequest.ts';
import type { DialectContext } from '../dialect.ts';
import { tiemAuth } from './tiemAuth.ts';
import { TiemCode, TiemError } from './tiemErrors.ts';
import { toTiemDetail, toTiemWorkFlow } from './tiemMapper.ts';
import { tiemStatusFilter } from './tiemStatus.ts';

/** Largest accepted pageSize; TiEM's UI asks for 10–100. */
export const TIEM_MAX_PAGE_SIZE = 500;

const integer = (name: string, fallback: number) =>
  z
    .string()
    .regex(/^-?\d{1,9}$/, `${name} must be an integer`)
    .transform(Number)
    .optional()
    .transform((v) => v ?? fallback);

/** Query of GET /workflow/; unknown parameters are ignored, as TiEM's gin binding does. */
const ListQuery = z.object({
  page: integer('page', 1).pipe(z.number().min(1, 'page must be 1 or more')),
  pageSize: integer('pageSize', 10).pipe(
    z.number().min(1, 'pageSize must be 1 or more').max(TIEM_MAX_PAGE_SIZE, `pageSize must be at most ${TIEM_MAX_PAGE_SIZE}`),
  ),
  status: z.string().max(32).optional(),
  flowName: z.string().max(128).optional(),
  bizId: z.string().max(256).optional(),
  bizType: z.string().max(128).optional(),
});

const OperationBody = z.object({ workFlowId: z.string().min(1, 'workFlowId is required').max(64) });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  return parseRequest(schema, value, (message) => new TiemError(TiemCode.BAD_PARAMS, 400, message));
}

const OK = { code: TiemCode.OK, message: 'OK' } as const;

/** The TiEM workflow API under /api/v1 (seed 000): list, detail, start, stop, cancel. */
export function registerTiemRoutes(app: FastifyInstance, { engine, authority, timeZone }: DialectContext): void {
  const read = tiemAuth(authority, Permission.READ);
  const operate = tiemAuth(authority, Permission.OPERATE);

  const list = async (request: FastifyRequest) => {
    const q = parse(ListQuery, request.query);
    const filter: RunFilter = {
      orgId: callerOf(request).orgId,
      ...(q.flowName ? { workflowContains: q.flowName } : {}),
      ...(q.bizId ? { bizId: q.bizId } : {}),
      ...(q.bizType ? { bizType: q.bizType } : {}),
      ...(q.status ? statusFilter(q.status) : {}),
    };
    const offset = (q.page - 1) * q.pageSize;
    const deep = offset + q.pageSize > MAX_PAGE_DEPTH;
    // Newest first by seq (creation order); the count runs beside the page, not after it.
    const [runs, total] = await Promise.all([
      deep ? Promise.resolve([]) : engine.listRunsByPage(filter, { offset, limit: q.pageSize, order: [{ column: RunOrderColumn.SEQ, descending: true }] }),
      engine.countRuns(filter),
    ]);
    if (deep && offset < total) {
      throw new TiemError(
        TiemCode.BAD_PARAMS,
        400,
        `page ${q.page} of size ${q.pageSize} reaches past row ${MAX_PAGE_DEPTH}; narrow the query with status, flowName, bizId or bizType`,
      );
    }
    return {
      ...OK,
      data: { workFlows: runs.map((r) => toTiemWorkFlow(r, timeZone)) },
      page: { page: q.page, pageSize: q.pageSize, total },
    };
  };
  const hidden = { schema: { hide: true } };
  app.get('/workflow/', { ...hidden, preHandler: read }, list);
  app.get('/workflow', { ...hidden, preHandler: read }, list);

  app.get('/workflow/:workFlowId', { ...hidden, preHandler: read }, async (request) => {
    const { workFlowId } = request.params as { workFlowId: string };
    const run = await engine.getRun(workFlowId, callerOf(request).orgId);
    return { ...OK, data: toTiemDetail(run, timeZone) };
  });

  /**
   * start: a Stopped (suspended) flow resumes; a live one is already started,
   * so starting it again changes nothing. stop suspends; cancel cancels. Any of
   * them on an ended flow is refused with 40103/40106/40107 (design.md): a
   * finished flow is not restarted through TiEM; the native API reruns.
   */
  const operations = [
    ['start', TiemCode.START_FAILED, (id: string, org: string, status: Status) => (status === Status.SUSPEND ? engine.resumeRun(id, org) : undefined)],
    ['stop', TiemCode.STOP_FAILED, (id: string, org: string, status: Status) => (status === Status.SUSPEND ? undefined : engine.suspendRun(id, org))],
    ['cancel', TiemCode.CANCEL_FAILED, (id: string, org: string) => engine.cancelRun(id, org)],
  ] as const;
  for (const [operation, refusal, apply] of operations) {
    app.post(`/workflow/${operation}`, { ...hidden, preHandler: operate }, async (request) => {
      const { workFlowId } = parse(OperationBody, request.body);
      const orgId = callerOf(request).orgId;
      const run = await engine.getRun(workFlowId, orgId);
      if (isTerminal(run.status)) {
        throw new TiemError(refusal, 409, `cannot ${operation} workflow ${workFlowId}: it has ended (${run.statusName})`);
      }
      await apply(run.id, orgId, run.status);
      return { ...OK, data: {} };
    });
  }
}

function statusFilter(word: string): Pick<RunFilter, 'statuses' | 'cancelRequested'> {
  const filter = tiemStatusFilter(word);
  if (!filter) {
    throw new TiemError(
      TiemCode.BAD_PARAMS,
      400,
      `status: unknown status ${JSON.stringify(word)}; one of Initializing, Processing, Stopped, Finished, Error, Canceled, Canceling`,
    );
  }
  return filter;
}
