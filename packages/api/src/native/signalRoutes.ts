import { Permission, SIGNAL_NAME_PATTERN } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf, requirePermission } from '../auth/nativeAuth.ts';
import { AUTH_ERRORS, ErrorBodySchema } from './errorSchema.ts';
import { BEARER_SECURITY, type NativeContext } from './nativeContext.ts';

const SignalParams = z.object({
  id: z.string().min(1).max(64).describe('22-char run id'),
  name: z.string().regex(SIGNAL_NAME_PATTERN).describe('the signal name a `wait` node waits for (its params.signal, else its node name)'),
});
const ApprovalParams = z.object({ id: z.string().min(1).max(64).describe('22-char run id'), node: z.string().min(1).max(128).describe('the approval node') });

const SentSignalSchema = z.object({
  signalId: z.number().int(),
  deliveredTo: z.string().nullable().describe('the node that took a kept signal of this name now; null: kept until a node waiting for it is reached'),
});

const ApproveBody = z.object({ reason: z.string().max(2000).optional().describe('why, as the node output records it') }).strict();
const RejectBody = z.object({ reason: z.string().min(1).max(2000).describe('why: the failed node\'s error') }).strict();

/**
 * Signals and approvals: `POST /v1/runs/{id}/signals/{name}` keeps a signal
 * for a live run until a `wait` node waiting for that name takes it (its JSON
 * body becomes the node's output), and approve/reject decide an `approval`
 * node waiting for its decision, recording the caller and the time.
 */
export function registerSignalRoutes(app: FastifyInstance, { engine, authority }: NativeContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const operate = requirePermission(authority, Permission.OPERATE);

  routes.post(
    '/v1/runs/:id/signals/:name',
    {
      preHandler: operate,
      schema: {
        summary: 'Send a signal to a run',
        description:
          'The JSON body (any JSON value; empty: null) is the payload. A `wait` node waiting for this name takes it at once and succeeds with it as its output; otherwise the signal is kept until such a node is reached. 409 when the run has ended.',
        tags: ['runs'],
        security: BEARER_SECURITY,
        params: SignalParams,
        body: z.unknown().optional(),
        response: { 202: SentSignalSchema, 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const sent = await engine.sendSignal(request.params.id, request.params.name, request.body ?? null, { orgId: caller.orgId, sentBy: caller.name });
      return reply.status(202).send(sent);
    },
  );

  const decisions = [
    ['approve', 'Approve an approval node waiting for its decision', ApproveBody.nullish(), true],
    ['reject', 'Reject an approval node waiting for its decision: it fails with the reason', RejectBody, false],
  ] as const;
  for (const [operation, summary, body, approved] of decisions) {
    routes.post(
      `/v1/runs/:id/nodes/:node/${operation}`,
      {
        preHandler: operate,
        schema: {
          summary,
          description: 'Records who decided and when as the node output. 409 unless the node is an approval waiting for its decision (RUNNING).',
          tags: ['runs'],
          security: BEARER_SECURITY,
          params: ApprovalParams,
          body,
          response: { 200: SentSignalSchema, 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema, ...AUTH_ERRORS },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const reason = request.body?.reason;
        return engine.decideApproval(request.params.id, request.params.node, { approved, ...(reason ? { reason } : {}) }, { orgId: caller.orgId, sentBy: caller.name });
      },
    );
  }
}
