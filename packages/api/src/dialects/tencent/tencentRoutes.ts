import { Permission, RunNotFound, ValidationFailed, type RunFilter } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../auth/nativeAuth.ts';
import type { DialectContext } from '../dialect.ts';
import { STATES, statusesOfState, toExecutionDetail, toExecutionListEntry } from './executionView.ts';
import { cosAuth } from './tencentAuth.ts';
import { definitionIdOf, runUuidOf, toRunId } from './tencentIds.ts';
import { tencentXml } from './tencentXml.ts';

const ListQuery = z.object({
  workflowId: z.string().max(64).optional(),
  name: z.string().max(1024).optional(),
  orderByTime: z.enum(['Desc', 'Asc']).default('Desc'),
  size: z.coerce.number().int().min(1).max(100).default(10),
  states: z.string().max(100).optional(),
  startCreationTime: z.string().max(40).optional(),
  endCreationTime: z.string().max(40).optional(),
  nextToken: z.string().regex(/^\d{1,15}$/, 'must be a NextToken this API returned').optional(),
  jobId: z.string().max(128).optional(),
});

const TriggerQuery = z.object({
  workflowId: z.string().max(64),
  object: z.string().min(1).max(1024),
});

const CI_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:Z|([+-])(\d{2}):?(\d{2}))$/;

/** `%Y-%m-%dT%H:%M:%S%z`: the offset as `+0800` (strftime) or `+08:00` (what CI prints). */
function parseCiTime(name: string, text: string): Date {
  const m = CI_TIME.exec(text);
  const [, y, mo, d, h, mi, s, sign, oh, om] = m ?? [];
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offset * 60_000);
  if (!m || Number.isNaN(date.getTime()) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new ValidationFailed(`${name}: expected %Y-%m-%dT%H:%M:%S%z, e.g. 2022-08-09T14:54:17+0800`);
  }
  return date;
}

/**
 * `states=Running,Failed` → canonical statuses; `All` (the default) filters
 * nothing. Running also takes live runs being cancelled, which CI shows as Running.
 */
function parseStates(text: string): Pick<RunFilter, 'statuses' | 'orCancelling'> {
  const words = text.split(',').map((w) => w.trim()).filter((w) => w !== '');
  if (words.length === 0 || words.includes('All')) return {};
  const statuses = words.flatMap((word) => {
    if (!(STATES as readonly string[]).includes(word)) throw new ValidationFailed(`states: unknown state ${JSON.stringify(word)}; use ${STATES.join(', ')} or All`);
    return statusesOfState(word as (typeof STATES)[number]);
  });
  return { statuses, ...(words.includes('Running') ? { orCancelling: true } : {}) };
}

/** Tencent Cloud CI's workflow executions (seed 003_9efb0e79f5d724b3), XML at the root path. */
export function registerTencentRoutes(scope: FastifyInstance, { engine, authority, timeZone }: DialectContext): void {
  const routes = scope.withTypeProvider<ZodTypeProvider>();
  const read = cosAuth(authority, Permission.READ, engine.now);
  const operate = cosAuth(authority, Permission.OPERATE, engine.now);

  /** The definition a WorkflowId names, among those the caller's org may see. */
  async function definitionOf(workflowId: string, orgId: string): Promise<{ id: number; name: string }> {
    const id = definitionIdOf(workflowId);
    if (id === undefined) throw new ValidationFailed(`workflowId: ${JSON.stringify(workflowId)} is not a WorkflowId`);
    return engine.getDefinitionById(id, orgId);
  }

  routes.get('/workflowexecution', { onRequest: read, schema: { querystring: ListQuery } }, async (request, reply) => {
    const q = request.query;
    const orgId = callerOf(request).orgId;
    const filter: RunFilter = {
      orgId,
      ...(q.workflowId === undefined ? {} : { definitionId: (await definitionOf(q.workflowId, orgId)).id }),
      ...(q.name === undefined ? {} : { bizId: q.name }),
      // A batch trigger's job id is kept as the bizType of the runs it started.
      ...(q.jobId === undefined ? {} : { bizType: q.jobId }),
      ...(q.states === undefined ? {} : parseStates(q.states)),
      ...(q.startCreationTime === undefined ? {} : { createdFrom: parseCiTime('startCreationTime', q.startCreationTime) }),
      // endCreationTime is inclusive to the second CI prints; the filter's bound is exclusive.
      ...(q.endCreationTime === undefined ? {} : { createdTo: new Date(parseCiTime('endCreationTime', q.endCreationTime).getTime() + 1000) }),
    };
    const ascending = q.orderByTime === 'Asc';
    const token = q.nextToken === undefined ? undefined : Number(q.nextToken);
    const page = await engine.listRuns(filter, {
      limit: q.size,
      ascending,
      ...(token === undefined ? {} : ascending ? { afterSeq: token } : { beforeSeq: token }),
    });
    const next = ascending ? page.nextAfterSeq : page.nextBeforeSeq;
    return reply.type('application/xml').send(
      tencentXml({
        Response: {
          RequestId: request.ciRequestId,
          WorkflowExecutionList: page.runs.map((r) => toExecutionListEntry(r, timeZone)),
          NextToken: next === undefined ? '' : String(next),
        },
      }),
    );
  });

  routes.get('/workflowexecution/:runId', { onRequest: read, schema: { params: z.object({ runId: z.string().max(64) }) } }, async (request, reply) => {
    const orgId = callerOf(request).orgId;
    const uuid = runUuidOf(request.params.runId);
    if (!uuid) throw new RunNotFound(request.params.runId);
    const run = await engine.getRun(uuid, orgId);
    const dag = await engine.definitionDag(run.definitionId, run.definitionVersion);
    return reply
      .type('application/xml')
      .send(tencentXml({ Response: { RequestId: request.ciRequestId, WorkflowExecution: toExecutionDetail(run, dag, timeZone) } }));
  });

  routes.post('/triggerworkflow', { onRequest: operate, schema: { querystring: TriggerQuery } }, async (request, reply) => {
    const caller = callerOf(request);
    const { name } = await definitionOf(request.query.workflowId, caller.orgId);
    const { run } = await engine.startRun({
      workflow: name,
      orgId: caller.orgId,
      owner: caller.name,
      bizId: request.query.object,
      input: { object: request.query.object },
    });
    return reply.type('application/xml').send(tencentXml({ Response: { RequestId: request.ciRequestId, InstanceId: toRunId(run.uuid) } }));
  });
}
