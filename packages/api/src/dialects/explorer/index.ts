import type { FastifyReply, FastifyRequest } from 'fastify';
import { jsonDepthProblem } from '../../hygiene/jsonDepth.ts';
import type { Dialect } from '../dialect.ts';
import { EXPLORER_AUDITED_ROUTES } from './explorerAudit.ts';
import { ExplorerCode, explorerErrorReply, sendExplorerError } from './explorerErrors.ts';
import { registerExplorerRoutes } from './explorerRoutes.ts';

/**
 * Explorer's documented calls send `Content-Type: application/json` on bodiless
 * requests (`PUT /jobs/{id}/cancel`); an empty JSON body is no body, not a 400.
 */
function parseJsonBody(_request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void): void {
  if (body.trim() === '') return done(null, undefined);
  const tooDeep = jsonDepthProblem(body);
  if (tooDeep !== undefined) return done(Object.assign(new Error(`body: ${tooDeep}`), { statusCode: 400 }));
  try {
    done(null, JSON.parse(body));
  } catch {
    done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 }));
  }
}

/** NebulaGraph Explorer's workflow API (seed 002_62d7636a9b716210). */
export const explorerDialect: Dialect = {
  name: 'explorer',
  prefix: '/api-open/v1',
  audit: EXPLORER_AUDITED_ROUTES,
  register(scope, context) {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody);
    scope.setErrorHandler(explorerErrorReply);
    scope.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
      sendExplorerError(reply, ExplorerCode.NOT_FOUND, `no route ${request.method} ${request.url}`),
    );
    registerExplorerRoutes(scope, context);
  },
};
