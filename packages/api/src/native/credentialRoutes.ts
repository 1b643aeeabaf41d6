import { CREDENTIAL_KINDS, CredentialKind, Permission, ROLES, Role, assertMayIssue, type CredentialSummary } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS, ErrorBodySchema } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';

const CreateCredentialBody = z
  .object({
    kind: z
      .enum(CREDENTIAL_KINDS)
      .describe('bearer (native, TiEM), enos, explorer, cos (Tencent CI), qiniu (Pandora), secret (a value http nodes send by secretRef)'),
    role: z
      .enum(ROLES)
      .optional()
      .describe('reader, operator or admin of the org; superadmin and metrics only from a superadmin. Required except for kind secret'),
    orgId: z.string().min(1).max(128).optional().describe("the principal's org; default: the caller's. Another org only from a superadmin"),
    name: z.string().min(1).max(128).optional().describe('a label; for kind secret, the name secretRef refers to'),
    accessKey: z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/).optional().describe('explorer only: the user name'),
    secret: z.string().min(1).max(16_384).optional().describe('kind secret only: the value, sealed at rest and never shown again'),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((b) => b.kind === CredentialKind.SECRET || b.role !== undefined, { message: 'role is required', path: ['role'] })
  .refine((b) => b.kind !== CredentialKind.SECRET || b.name !== undefined, { message: 'a secret needs the name secretRef refers to', path: ['name'] });

const CredentialViewSchema = z.object({
  id: z.string(),
  kind: z.enum(CREDENTIAL_KINDS),
  name: z.string(),
  role: z.enum(ROLES),
  orgId: z.string(),
  accessKey: z.string().nullable().describe('COS SecretId, Qiniu AK or Explorer user name'),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});

const IssuedCredentialSchema = CredentialViewSchema.extend({
  secret: z.string().describe('bearer/enos token, Explorer password, COS SecretKey or Qiniu SK — shown only now'),
});

function toCredentialView(c: CredentialSummary): z.infer<typeof CredentialViewSchema> {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    role: c.role,
    orgId: c.orgId,
    accessKey: c.accessKey,
    expiresAt: c.expiresAt?.toISOString() ?? null,
    revokedAt: c.revokedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

/**
 * `/v1/credentials`: issue (secret shown once), list and revoke, each in the
 * caller's org. Admins only; issuing into another org, or a role that reaches
 * past one org, only for a superadmin (assertMayIssue).
 */
export function registerCredentialRoutes(app: FastifyInstance, { authority }: NativeContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const admin = requirePermission(authority, Permission.ADMIN);
  const tags = ['credentials'];

  routes.post(
    '/v1/credentials',
    {
      preHandler: admin,
      schema: {
        summary: 'Issue a credential for a new principal; the secret is returned only here',
        tags,
        security: BEARER_SECURITY,
        body: CreateCredentialBody,
        response: { 201: IssuedCredentialSchema, 400: ErrorBodySchema, 409: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const caller = callerOf(request);
      // A secret's principal authenticates nothing (no scheme takes its kind); it holds the lowest role.
      const role = body.role ?? Role.READER;
      const orgId = body.orgId ?? caller.orgId;
      assertMayIssue(caller, { orgId, role });
      const issued = await authority.issue({
        kind: body.kind,
        role,
        orgId,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.accessKey === undefined ? {} : { accessKey: body.accessKey }),
        ...(body.secret === undefined ? {} : { secret: body.secret }),
        ...(body.expiresAt === undefined ? {} : { expiresAt: new Date(body.expiresAt) }),
      });
      return reply.status(201).send({ ...toCredentialView(issued), secret: issued.secret });
    },
  );

  routes.get(
    '/v1/credentials',
    {
      preHandler: admin,
      schema: {
        summary: "List the credentials of the caller's org (never their secrets)",
        tags,
        security: BEARER_SECURITY,
        response: { 200: z.object({ items: z.array(CredentialViewSchema) }), ...AUTH_ERRORS },
      },
    },
    async (request) => ({ items: (await authority.list(callerOf(request).orgId)).map(toCredentialView) }),
  );

  routes.delete(
    '/v1/credentials/:id',
    {
      preHandler: admin,
      schema: {
        summary: 'Revoke a credential',
        tags,
        security: BEARER_SECURITY,
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 204: z.null(), 404: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      await authority.revoke(callerOf(request).orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
