import { DefinitionNotFound, Permission, Status, assertMayChangeDefinitions, type DefinitionSummary, type RunRecord } from '@flowline/engine';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../../auth/nativeAuth.ts';
import type { DialectContext } from '../dialect.ts';
import { formatDateTime, formatOffset, zonedTime } from '../zonedTime.ts';
import { requirePandoraPermission } from './pandoraAuth.ts';
import { WORKFLOW_NAME, readWorkflowBody } from './pandoraBody.ts';
import { PandoraError, PandoraFault } from './pandoraErrors.ts';
import { mayStart, mayStop, nodeStatus, workflowStatus, type PandoraStatus } from './pandoraStatus.ts';
import { hasStartableNode, nodeType, regionOf, toPandoraNodes, toWorkflowSpec } from './pandoraWorkflow.ts';

/** A definition with the latest run of that very definition (not of an older one deleted under the same name). */
interface Workflow {
  readonly definition: DefinitionSummary;
  readonly latestRun: RunRecord | undefined;
  readonly status: PandoraStatus;
  readonly canStart: boolean;
}

interface Named {
  Params: { name: string };
}

/**
 * Sends JSON with exactly `application/json`: Qiniu's SDK compares the header
 * byte for byte before reading an error body. Sent as a Buffer because fastify
 * appends `; charset=utf-8` to a string payload's JSON type.
 */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).header('content-type', 'application/json').send(Buffer.from(JSON.stringify(body)));
}

/** The `/v2/workflows` routes: create, list, get, update, delete, start, stop, status. */
export function registerPandoraRoutes(scope: FastifyInstance, { engine, timeZone }: DialectContext): void {
  const read = requirePandoraPermission(Permission.READ);
  const operate = requirePandoraPermission(Permission.OPERATE);
  const admin = requirePandoraPermission(Permission.ADMIN);

  const rfc3339 = (date: Date) => {
    const t = zonedTime(date, timeZone);
    return `${formatDateTime(t, 'T')}${formatOffset(t.offsetMinutes)}`;
  };

  /** The caller's org, for a create, update or delete: the shared catalog's takes a superadmin. */
  const changingOrg = (request: FastifyRequest): string => {
    const caller = callerOf(request);
    assertMayChangeDefinitions(caller);
    return caller.orgId;
  };

  const nameOf = (request: FastifyRequest<Named>): string => {
    const name = request.params.name;
    if (!WORKFLOW_NAME.test(name)) throw new PandoraError(PandoraFault.INVALID_WORKFLOW_NAME, `${JSON.stringify(name)} must match ${WORKFLOW_NAME.source}`);
    return name;
  };

  async function workflowOf(definition: DefinitionSummary, orgId: string): Promise<Workflow> {
    const { runs } = await engine.listRuns({ orgId, workflow: definition.name }, { limit: 1 });
    const latestRun = runs[0]?.definitionId === definition.id ? runs[0] : undefined;
    const status = workflowStatus(latestRun);
    return { definition, latestRun, status, canStart: mayStart(status) && hasStartableNode(definition.spec) };
  }

  // The catalog's list carries create and update times, which a single get does not.
  async function findWorkflow(name: string, orgId: string): Promise<Workflow> {
    const definition = (await engine.listDefinitions(orgId)).find((d) => d.name === name);
    if (!definition) throw new DefinitionNotFound(name);
    return workflowOf(definition, orgId);
  }

  /** Start enables the workflow's cron schedules and stop disables them: a Pandora workflow runs or rests as a whole. */
  async function setSchedulesPaused(workflow: string, orgId: string, paused: boolean): Promise<void> {
    for (const schedule of await engine.listSchedules(orgId, workflow)) {
      if (schedule.paused === paused) continue;
      const id = String(schedule.id);
      await (paused ? engine.pauseSchedule(id, orgId) : engine.resumeSchedule(id, orgId));
    }
  }

  const summary = (w: Workflow) => ({
    name: w.definition.name,
    region: regionOf(w.definition.spec),
    comment: w.definition.spec.description ?? '',
    createTime: rfc3339(w.definition.createdAt),
    updateTime: rfc3339(w.definition.updatedAt),
    status: w.status,
    canStart: w.canStart,
  });

  scope.get('/', { preHandler: read }, async (request, reply) => {
    const orgId = callerOf(request).orgId;
    const definitions = await engine.listDefinitions(orgId);
    const workflows = await Promise.all(definitions.map((d) => workflowOf(d, orgId)));
    return sendJson(reply, 200, workflows.map(summary));
  });

  scope.get<Named>('/:name', { preHandler: read }, async (request, reply) => {
    const w = await findWorkflow(nameOf(request), callerOf(request).orgId);
    return sendJson(reply, 200, { ...summary(w), nodes: toPandoraNodes(w.definition.spec) });
  });

  scope.post<Named>('/:name', { preHandler: admin }, async (request, reply) => {
    const name = nameOf(request);
    const body = readWorkflowBody(request.body, request.headers['content-length']);
    await engine.createDefinition(toWorkflowSpec(name, body), changingOrg(request));
    return reply.status(200).send();
  });

  scope.put<Named>('/:name', { preHandler: admin }, async (request, reply) => {
    const name = nameOf(request);
    const body = readWorkflowBody(request.body, request.headers['content-length']);
    const orgId = changingOrg(request);
    const stored = await engine.getDefinition(name, orgId);
    await engine.updateDefinition(name, toWorkflowSpec(name, body, stored.spec), orgId);
    return reply.status(200).send();
  });

  scope.delete<Named>('/:name', { preHandler: admin }, async (request, reply) => {
    await engine.deleteDefinition(nameOf(request), changingOrg(request));
    return reply.status(200).send();
  });

  scope.post<Named>('/:name/start', { preHandler: operate }, async (request, reply) => {
    const caller = callerOf(request);
    const w = await findWorkflow(nameOf(request), caller.orgId);
    if (!w.canStart) {
      const why = mayStart(w.status) ? 'it has no transform, export or exportBatch node' : `it is ${w.status}`;
      throw new PandoraError(PandoraFault.START_NOT_ALLOWED, `workflow ${w.definition.name} cannot start: ${why}`);
    }
    if (w.latestRun?.status === Status.SUSPEND) {
      // Stopped by a suspend: starting again resumes the same run where it was held.
      await engine.resumeRun(w.latestRun.id, caller.orgId);
    } else {
      // Two concurrent starts that saw the same latest run share one idempotency key, so only one run begins.
      const { created } = await engine.startRun({
        workflow: w.definition.name,
        orgId: caller.orgId,
        owner: caller.name,
        idempotencyKey: `pandora-start:${w.definition.id}:${w.latestRun?.seq ?? 0}`,
      });
      if (!created) throw new PandoraError(PandoraFault.START_NOT_ALLOWED, `workflow ${w.definition.name} is already being started`);
    }
    await setSchedulesPaused(w.definition.name, caller.orgId, false);
    return reply.status(200).send();
  });

  scope.post<Named>('/:name/stop', { preHandler: operate }, async (request, reply) => {
    const caller = callerOf(request);
    const w = await findWorkflow(nameOf(request), caller.orgId);
    if (!w.latestRun || !mayStop(w.status)) {
      throw new PandoraError(PandoraFault.STOP_NOT_ALLOWED, `workflow ${w.definition.name} cannot stop: it is ${w.status}`);
    }
    await engine.cancelRun(w.latestRun.id, caller.orgId);
    await setSchedulesPaused(w.definition.name, caller.orgId, true);
    return reply.status(200).send();
  });

  scope.get<Named>('/:name/status', { preHandler: read }, async (request, reply) => {
    const orgId = callerOf(request).orgId;
    const w = await findWorkflow(nameOf(request), orgId);
    const run = w.latestRun && (await engine.getRun(w.latestRun.id, orgId));
    const statuses = new Map(run?.nodes.map((n) => [n.name, n.status]));
    return sendJson(reply, 200, {
      name: w.definition.name,
      region: regionOf(w.definition.spec),
      nodes: w.definition.spec.nodes.map((n) => ({ name: n.name, type: nodeType(n), status: nodeStatus(statuses.get(n.name)) })),
      status: workflowStatus(run),
    });
  });
}
