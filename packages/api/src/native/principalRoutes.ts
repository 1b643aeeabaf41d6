import { Permission, ROLES } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';

const WhoAmISchema = z.object({
  principalId: z.string(),
  name: z.string(),
  orgId: z.string(),
  role: z.enum(ROLES).describe('reader < operator < admin'),
});

/** `GET /v1/whoami`: who the token is, so a UI or CLI can offer only what the role allows. */
export function registerPrincipalRoutes(app: FastifyInstance, { authority }: NativeContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/whoami',
    {
      preHandler: requirePermission(authority, Permission.READ),
      schema: {
        summary: "The caller's principal: name, org and role",
        tags: ['credentials'],
        security: BEARER_SECURITY,
        response: { 200: WhoAmISchema, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return { principalId: caller.id, name: caller.name, orgId: caller.orgId, role: caller.role };
    },
  );
}
