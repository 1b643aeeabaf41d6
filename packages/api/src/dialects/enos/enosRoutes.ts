import { Permission, roleAllows, type RunRecord } from '@flowline/engine';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { callerOf } from '../../auth/nativeAuth.ts';
import { parseRequest } from '../parseRequest.ts';
import type { DialectContext } from '../dialect.ts';
import { enosAuth } from './enosAuth.ts';
import { EnosCode, EnosError } from './enosErrors.ts';
import { toEnosFlowInstance, type EnosFlowInstance } from './enosMapper.ts';
import { SearchBody, searchQuery } from './enosSearch.ts';

const Query = z.object({
  action: z.enum(['search', 'get', 'cancel'], { message: 'action must be search, get or cancel' }),
  userId: z.string({ message: 'userId is required' }).min(1, 'userId is required').max(128),
  orgId: z.string({ message: 'orgId is required' }).min(1, 'orgId is required').max(128),
  flowInstId: z.string().max(64).optional(),
});

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  return parseRequest(schema, value, (message) => new EnosError(EnosCode.BAD_REQUEST, 400, message));
}

/** `<flowId>-<yyyyMMddHHmmss>`; the 12-digit minute form of older instances (`2438-201908081020`) reads as second 00. */
const INSTANCE_ID = /^(\d{1,15})-(\d{12}|\d{14})$/;

/** EnOS batch-processing flow instances (seed 001): search, get and cancel, one path told apart by `action`. */
export function registerEnosRoutes(app: FastifyInstance, { engine, authority, timeZone }: DialectContext): void {
  const read = enosAuth(authority, Permission.READ);

  const instances = async (request: FastifyRequest, unstamped: readonly RunRecord[]): Promise<EnosFlowInstance[]> => {
    const canEdit = roleAllows(callerOf(request).role, Permission.OPERATE);
    const runs = await engine.withInstanceStamps(unstamped);
    return Promise.all(
      runs.map(async (run) => {
        const dag = await engine.definitionDag(run.definitionId, run.definitionVersion);
        // freq: the first schedule of the version the run is pinned to, not of a later edit
        const spec = await engine.definitionSpec(run.definitionId, run.definitionVersion);
        const freq = spec.schedules?.[0]?.expression ?? '';
        return toEnosFlowInstance(run, dag, { timeZone, freq, canEdit });
      }),
    );
  };

  const findInstance = async (orgId: string, flowInstId: string | undefined): Promise<RunRecord> => {
    if (!flowInstId) throw new EnosError(EnosCode.BAD_REQUEST, 400, 'flowInstId is required');
    const match = INSTANCE_ID.exec(flowInstId);
    if (!match) throw new EnosError(EnosCode.BAD_REQUEST, 400, `flowInstId ${JSON.stringify(flowInstId)} is not <flowId>-<yyyyMMddHHmmss>`);
    const stamp = match[2]!.length === 12 ? `${match[2]}00` : match[2]!;
    const run = await engine.findRunByInstanceStamp(orgId, Number(match[1]), stamp, timeZone);
    if (!run) throw new EnosError(EnosCode.NOT_FOUND, 404, `flow instance ${flowInstId} does not exist`);
    return run;
  };

  app.route({
    method: ['GET', 'POST'],
    url: '/flowInstances',
    schema: { hide: true },
    preHandler: read,
    handler: async (request) => {
      const query = parse(Query, request.query);
      const caller = callerOf(request);
      // The credential decides the org; an orgId naming another one is refused, never answered with its data.
      if (query.orgId !== caller.orgId) {
        throw new EnosError(EnosCode.FORBIDDEN, 403, `orgId ${JSON.stringify(query.orgId)} is not the organization of this access token`);
      }
      const body = (request.body ?? {}) as Record<string, unknown>;
      switch (query.action) {
        case 'search': {
          if (request.method !== 'POST') throw new EnosError(EnosCode.BAD_REQUEST, 400, 'action=search is a POST with a JSON body');
          const { filter, page } = searchQuery(caller.orgId, parse(SearchBody, request.body));
          const flowInsts = await instances(request, await engine.listRunsByPage(filter, page));
          return { code: EnosCode.OK, msg: 'OK', data: { flowInsts, count: flowInsts.length } };
        }
        case 'get': {
          const run = await findInstance(caller.orgId, query.flowInstId ?? (body.flowInstId as string | undefined));
          return { code: EnosCode.OK, msg: 'OK', data: (await instances(request, [run]))[0] };
        }
        case 'cancel': {
          if (!roleAllows(caller.role, Permission.OPERATE)) {
            throw new EnosError(EnosCode.FORBIDDEN, 403, `role ${caller.role} may not cancel flow instances`);
          }
          const flowInstId = typeof body.flowInstId === 'string' ? body.flowInstId : query.flowInstId;
          const run = await findInstance(caller.orgId, flowInstId);
          await engine.cancelRun(run.id, caller.orgId);
          return { code: EnosCode.OK, msg: 'OK', data: '' };
        }
      }
    },
  });
}
