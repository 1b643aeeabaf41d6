import { randomBytes } from 'node:crypto';
import type { Dialect } from '../dialect.ts';
import { PANDORA_AUDITED_ROUTES } from './pandoraAudit.ts';
import { authenticatePandora } from './pandoraAuth.ts';
import { assertBodyDigest } from './pandoraBodyDigest.ts';
import { parsePandoraJson } from './pandoraBody.ts';
import { PandoraError, PandoraFault, pandoraErrorReply } from './pandoraErrors.ts';
import { registerPandoraRoutes, sendJson } from './pandoraRoutes.ts';

/** Qiniu's request ids are 16 url-safe characters. */
const newRequestId = () => randomBytes(12).toString('base64url');

/**
 * Qiniu Pandora workflows (`/v2/workflows`): a Pandora workflow is a flowline
 * definition of the caller's org, started and stopped as runs. Auth is the
 * `Pandora AK:sign` scheme with a `qiniu` credential; every response, errors
 * included, carries `X-Reqid`.
 */
export const pandoraDialect: Dialect = {
  name: 'pandora',
  prefix: '/v2/workflows',
  audit: PANDORA_AUDITED_ROUTES,
  register(scope, context) {
    // Every body is read as JSON whatever its Content-Type: the vendor's curl
    // examples and SDK differ in what they send, and the type is signed anyway.
    // The bytes are checked against Content-MD5 first.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      try {
        assertBodyDigest(request, body as Buffer);
        done(null, parsePandoraJson((body as Buffer).toString('utf8')));
      } catch (error) {
        done(error as Error, undefined);
      }
    });

    scope.addHook('onRequest', async (request, reply) => {
      reply.header('X-Reqid', newRequestId());
      await authenticatePandora(request, context.authority, context.engine.now());
    });
    scope.addHook('preValidation', async (request) => assertBodyDigest(request, undefined));

    scope.setErrorHandler((error, request, reply) => {
      const { status, body, internal } = pandoraErrorReply(error);
      if (internal) request.log.error({ err: error }, 'unhandled error');
      return sendJson(reply, status, body);
    });
    scope.setNotFoundHandler((request, reply) =>
      sendJson(reply, 404, pandoraErrorReply(new PandoraError(PandoraFault.ROUTE_NOT_FOUND, `${request.method} ${request.url}`)).body),
    );

    registerPandoraRoutes(scope, context);
  },
};
