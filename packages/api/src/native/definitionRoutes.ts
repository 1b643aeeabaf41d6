import {
  NodeSpecSchema,
  NotifySpecSchema,
  Permission,
  ScheduleSpecSchema,
  SlaSpecSchema,
  assertMayChangeDefinitions,
  redactNodeParams,
  type DefinitionVersionRecord,
  type WebhookRecord,
} from '@flowline/engine';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS, ErrorBodySchema } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';

/**
 * The request body of a definition. Validated loosely here (shape only) so that
 * the catalog's checks — which name the offending node — give the error message.
 */
const DefinitionBody = z
  .object({
    name: z.string().describe('letters, digits and _, starting with a letter or _'),
    description: z.string().optional(),
    nodes: z.array(z.record(z.string(), z.unknown())).describe('nodes: name, type, dependsOn, retries, backoffMs, timeoutMs, params'),
    input: z.record(z.string(), z.unknown()).optional().describe('JSON Schema of the run input: a start whose input fails it is refused'),
  })
  .passthrough();

const DefinitionViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.number().int(),
  description: z.string(),
  nodes: z.array(NodeSpecSchema),
  input: z.record(z.string(), z.unknown()).nullable().describe('JSON Schema of the run input; null when any input is accepted'),
  schedules: z.array(ScheduleSpecSchema).describe('as declared; live state (paused, next fire time) is under /v1/schedules'),
  notify: z.array(NotifySpecSchema).describe('webhooks told when runs end or miss their SLA'),
  sla: SlaSpecSchema.nullable(),
  shared: z.boolean().describe("of the shared catalog (org default): every org starts and reads it, only a superadmin changes it"),
});

const WebhookViewSchema = z.object({
  id: z.string(),
  schedule: z.string().nullable().describe("the schedule it is declared on; null for the definition's own"),
  url: z.string(),
  events: z.array(z.string()),
  secret: z.string().optional().describe('HMAC-SHA256 signing key of its deliveries (header flowline-signature): shown only in the answer that declared the webhook'),
});

const DefinitionDetailSchema = DefinitionViewSchema.extend({ webhooks: z.array(WebhookViewSchema) });

const NameParams = z.object({ name: z.string().min(1).max(128) });

function toDefinitionView(d: Omit<DefinitionVersionRecord, 'orgId'> & { readonly shared: boolean }): z.infer<typeof DefinitionViewSchema> {
  return {
    id: d.id,
    name: d.name,
    version: d.version,
    description: d.spec.description ?? '',
    nodes: d.spec.nodes.map((n) => ({ ...n, params: redactNodeParams(n.type, n.params) as Record<string, unknown> })),
    input: d.spec.input ?? null,
    // Where the shared catalog's events go is its owner's business, not every reader's.
    schedules: (d.spec.schedules ?? []).map(({ notify, ...schedule }) => (d.shared || notify === undefined ? schedule : { ...schedule, notify })),
    notify: d.shared ? [] : (d.spec.notify ?? []),
    sla: d.spec.sla ?? null,
    shared: d.shared,
  };
}

/** A definition with its webhooks; those it has just declared carry their secrets, this once. */
function toDefinitionDetail(d: DefinitionVersionRecord, callerOrg: string, webhooks: readonly WebhookRecord[]): z.infer<typeof DefinitionDetailSchema> {
  const secrets = new Map((d.issuedWebhooks ?? []).map((w) => [w.id, w.secret]));
  return {
    ...toDefinitionView({ ...d, shared: d.orgId !== callerOrg }),
    webhooks: (d.orgId !== callerOrg ? [] : webhooks).map((w) => ({ id: w.id, schedule: w.schedule, url: w.url, events: w.events, ...(secrets.has(w.id) ? { secret: secrets.get(w.id)! } : {}) })),
  };
}

/** The org whose definitions the caller changes: its own, unless that is the shared catalog and it is no superadmin. */
function changingOrg(request: FastifyRequest): string {
  const caller = callerOf(request);
  assertMayChangeDefinitions(caller);
  return caller.orgId;
}

/** `/v1/definitions`: workflow definitions (DAGs of built-in or registered node types). */
export function registerDefinitionRoutes(app: FastifyInstance, { engine, authority }: NativeContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const read = requirePermission(authority, Permission.READ);
  const admin = requirePermission(authority, Permission.ADMIN);
  const tags = ['definitions'];
  const detail = async (d: DefinitionVersionRecord, request: FastifyRequest) => toDefinitionDetail(d, callerOf(request).orgId, await engine.definitionWebhooks(d.id));

  routes.post(
    '/v1/definitions',
    {
      preHandler: admin,
      schema: {
        summary: 'Create a workflow definition',
        description: 'Validates the DAG: cycles, unknown or duplicate node names and unknown node types are a 400 naming the node.',
        tags,
        security: BEARER_SECURITY,
        body: DefinitionBody,
        response: { 201: DefinitionDetailSchema, 400: ErrorBodySchema, 409: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => reply.status(201).send(await detail(await engine.createDefinition(request.body as never, changingOrg(request)), request)),
  );

  routes.put(
    '/v1/definitions/:name',
    {
      preHandler: admin,
      schema: {
        summary: 'Update a definition: a new version if the DAG changed',
        description: 'Runs already started keep the version they started on.',
        tags,
        security: BEARER_SECURITY,
        params: NameParams,
        body: DefinitionBody,
        response: { 200: DefinitionDetailSchema, 400: ErrorBodySchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => detail(await engine.updateDefinition(request.params.name, request.body as never, changingOrg(request)), request),
  );

  routes.get(
    '/v1/definitions',
    {
      preHandler: read,
      schema: {
        summary: 'List the definitions the caller\'s org may start',
        description: "The org's own, and the shared catalog's (marked shared) that no definition of its own shadows: exactly what a start by name runs.",
        tags,
        security: BEARER_SECURITY,
        response: { 200: z.object({ items: z.array(DefinitionViewSchema) }), ...AUTH_ERRORS },
      },
    },
    async (request) => ({ items: (await engine.listDefinitions(callerOf(request).orgId)).map(toDefinitionView) }),
  );

  routes.get(
    '/v1/definitions/:name',
    {
      preHandler: read,
      schema: {
        summary: 'Get a definition (its latest version) with its webhooks',
        description: "The org's own, else the shared catalog's (marked shared).",
        tags,
        security: BEARER_SECURITY,
        params: NameParams,
        response: { 200: DefinitionDetailSchema, 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => detail(await engine.getDefinition(request.params.name, callerOf(request).orgId), request),
  );

  routes.delete(
    '/v1/definitions/:name',
    {
      preHandler: admin,
      schema: {
        summary: 'Delete a definition; its runs stay readable',
        tags,
        security: BEARER_SECURITY,
        params: NameParams,
        response: { 204: z.null(), 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      await engine.deleteDefinition(request.params.name, changingOrg(request));
      return reply.status(204).send(null);
    },
  );
}
