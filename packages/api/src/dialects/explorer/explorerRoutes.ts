import { CredentialKind, MAX_PAGE_DEPTH, Permission, RunNotFound, RunOrderColumn, ValidationFailed, type RunRecord } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../auth/nativeAuth.ts';
import type { DialectContext } from '../dialect.ts';
import { SESSION_TTL_SECONDS, connectAccount, explorerAuth, sessionCookie } from './explorerSession.ts';
import { parseJobFilter } from './jobFilter.ts';
import { toJobDetail, toJobItem } from './jobView.ts';

const ConnectBody = z.object({
  address: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
});

const JobListQuery = z.object({
  filter: z.string().max(4096).optional(),
  pageSize: z.coerce.number().int().min(1).max(1000).default(10),
  page: z.coerce.number().int().min(1).default(1),
});

const NumericId = z.object({ id: z.string().regex(/^\d{1,15}$/, 'must be a number').transform(Number) });

/** `{input}`; Explorer's own client may also send no body at all. */
const StartJobBody = z.object({ input: z.unknown().optional() }).nullish();

/** Explorer's success envelope. */
const ok = <T>(data: T) => ({ code: 0, data, message: 'Success' });

/** NebulaGraph Explorer's workflow job API (seed 002_62d7636a9b716210), under `/api-open/v1`. */
export function registerExplorerRoutes(scope: FastifyInstance, { engine, authority, timeZone }: DialectContext): void {
  const routes = scope.withTypeProvider<ZodTypeProvider>();
  const read = explorerAuth(authority, Permission.READ);
  const operate = explorerAuth(authority, Permission.OPERATE);

  /**
   * Explorer's connect checks the account against the graph database at
   * `address:port`; flowline has no graph database, so the account is an
   * `explorer` credential and the address is only validated.
   */
  routes.post('/connect', { schema: { body: ConnectBody } }, async (request, reply) => {
    const { user, password } = connectAccount(request);
    const principal = await authority.authenticatePassword(CredentialKind.EXPLORER, user, password);
    // the audit trail records who opened the session
    request.principal = principal;
    const { token } = await authority.openSession(principal, SESSION_TTL_SECONDS);
    reply.header('set-cookie', sessionCookie(request, token));
    return ok({ success: true });
  });

  /** One numbered page of jobs matching a filter, with the total Explorer's pager shows. */
  async function jobPage(orgId: string, query: z.infer<typeof JobListQuery>, definitionId?: number) {
    if (query.page * query.pageSize > MAX_PAGE_DEPTH) {
      throw new ValidationFailed(`page: page × pageSize may reach at most row ${MAX_PAGE_DEPTH}; narrow the filter`);
    }
    const { filter, ascending } = parseJobFilter(query.filter, timeZone);
    const runFilter = { ...filter, orgId, ...(definitionId === undefined ? {} : { definitionId }) };
    const [runs, total] = await Promise.all([
      engine.listRunsByPage(runFilter, {
        offset: (query.page - 1) * query.pageSize,
        limit: query.pageSize,
        order: [{ column: RunOrderColumn.SEQ, descending: !ascending }],
      }),
      engine.countRuns(runFilter),
    ]);
    return ok({ items: runs.map((r) => toJobItem(r, timeZone)), total, Page: query.page, PageSize: query.pageSize });
  }

  routes.get('/jobs', { onRequest: read, schema: { querystring: JobListQuery } }, async (request) =>
    jobPage(callerOf(request).orgId, request.query),
  );

  routes.get('/workflows/:id/jobs', { onRequest: read, schema: { params: NumericId, querystring: JobListQuery } }, async (request) => {
    const orgId = callerOf(request).orgId;
    return jobPage(orgId, request.query, (await engine.getDefinitionById(request.params.id, orgId)).id);
  });

  /** A job id is the run's seq; the keyset list just above it is the indexed lookup by seq. */
  async function runBySeq(orgId: string, seq: number): Promise<RunRecord> {
    const { runs } = await engine.listRuns({ orgId }, { limit: 1, beforeSeq: seq + 1 });
    if (runs[0]?.seq !== seq) throw new RunNotFound(String(seq));
    return runs[0];
  }

  routes.get('/jobs/:id', { onRequest: read, schema: { params: NumericId } }, async (request) => {
    const orgId = callerOf(request).orgId;
    const run = await runBySeq(orgId, request.params.id);
    return ok(toJobDetail(await engine.getRun(run.id, orgId), timeZone));
  });

  routes.post('/workflows/:id/jobs', { onRequest: operate, schema: { params: NumericId, body: StartJobBody } }, async (request) => {
    const caller = callerOf(request);
    const definition = await engine.getDefinitionById(request.params.id, caller.orgId);
    const { run } = await engine.startRun({
      workflow: definition.name,
      orgId: caller.orgId,
      owner: caller.name,
      ...(request.body?.input === undefined ? {} : { input: request.body.input }),
    });
    return ok({ id: run.seq });
  });

  routes.put('/jobs/:id/cancel', { onRequest: operate, schema: { params: NumericId } }, async (request) => {
    const orgId = callerOf(request).orgId;
    const run = await runBySeq(orgId, request.params.id);
    await engine.cancelRun(run.id, orgId);
    return ok({ success: true });
  });
}
