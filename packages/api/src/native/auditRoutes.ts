import { AuditOutcome, Forbidden, Permission, roleAllows, type AuditRecord } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS, ErrorBodySchema } from './errorSchema.ts';
import { keysetCursor } from './keysetCursor.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';

const AuditQuery = z
  .object({
    principal: z.string().max(128).optional().describe("a principal's name or id"),
    action: z.string().max(64).optional().describe('an action (run.cancel) or its family (run)'),
    target: z.string().max(256).optional(),
    surface: z.string().max(32).optional().describe('native, cli, ui, tiem, enos, explorer, tencent, pandora'),
    outcome: z.enum([AuditOutcome.OK, AuditOutcome.DENIED, AuditOutcome.FAILED]).optional(),
    from: z.iso.datetime({ offset: true }).optional().describe('at or after (ISO 8601)'),
    to: z.iso.datetime({ offset: true }).optional().describe('before (ISO 8601)'),
    orgId: z.string().min(1).max(128).optional().describe("superadmin only: one org's trail (default: every org's)"),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(32).optional().describe('nextCursor of the previous page'),
  })
  .strict();

const AuditEventSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  orgId: z.string().nullable().describe("the principal's org; null when no credential was accepted"),
  principalId: z.string().nullable(),
  principalName: z.string().nullable(),
  role: z.string().nullable(),
  action: z.string(),
  target: z.string(),
  surface: z.string(),
  address: z.string(),
  method: z.string(),
  route: z.string(),
  httpStatus: z.number().int(),
  outcome: z.enum([AuditOutcome.OK, AuditOutcome.DENIED, AuditOutcome.FAILED]),
});

const AuditPage = z.object({
  items: z.array(AuditEventSchema),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
});

const cursor = keysetCursor('a');

const toAuditView = (e: AuditRecord): z.infer<typeof AuditEventSchema> => ({ ...e, at: e.at.toISOString() });

/**
 * `GET /v1/audit`: the audit trail, newest first, keyset paged. An org admin
 * reads its org's; a superadmin every org's (or one's). The trail has no
 * route that writes: it is appended by the API's audit hook alone.
 */
export function registerAuditRoutes(app: FastifyInstance, { engine, authority }: NativeContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/audit',
    {
      preHandler: requirePermission(authority, Permission.ADMIN),
      schema: {
        summary: 'The audit trail: who changed what, from where, with what outcome',
        description: 'One row per state-changing call on any surface (native, CLI, UI, the five dialects), refused ones included. Filters combine with AND.',
        tags: ['audit'],
        security: BEARER_SECURITY,
        querystring: AuditQuery,
        response: { 200: AuditPage, 400: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const q = request.query;
      const global = roleAllows(caller.role, Permission.GLOBAL);
      if (q.orgId !== undefined && !global && q.orgId !== caller.orgId) throw new Forbidden(caller.role, Permission.GLOBAL, "only a superadmin reads another org's trail");
      const page = await engine.listAudit(
        {
          orgId: global ? q.orgId : caller.orgId,
          ...(q.principal === undefined ? {} : { principal: q.principal }),
          ...(q.action === undefined ? {} : { action: q.action }),
          ...(q.target === undefined ? {} : { target: q.target }),
          ...(q.surface === undefined ? {} : { surface: q.surface }),
          ...(q.outcome === undefined ? {} : { outcome: q.outcome }),
          ...(q.from === undefined ? {} : { from: new Date(q.from) }),
          ...(q.to === undefined ? {} : { to: new Date(q.to) }),
        },
        { limit: q.limit, ...(q.cursor === undefined ? {} : { beforeId: cursor.decode(q.cursor) }) },
      );
      return { items: page.events.map(toAuditView), nextCursor: page.nextBeforeId === undefined ? null : cursor.encode(page.nextBeforeId) };
    },
  );
}
