import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dialect } from '../dialect.ts';
import { TENCENT_AUDITED_ROUTES } from './tencentAudit.ts';
import { tencentErrorReply } from './tencentErrors.ts';
import { registerTencentRoutes } from './tencentRoutes.ts';

/**
 * A CI request id in the vendor's shape: base64 of `<epoch hex>_<hex>_<hex>_<hex>`
 * (the seed's `NjJmMjEyMmFfZWM0YTYyNjRfN2U2NV8yNmI0` is `62f2122a_ec4a6264_7e65_26b4`).
 */
function newRequestId(): string {
  const random = randomBytes(8).toString('hex');
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return Buffer.from(`${epoch}_${random.slice(0, 8)}_${random.slice(8, 12)}_${random.slice(12)}`).toString('base64');
}

/**
 * Tencent Cloud CI (seed 003_9efb0e79f5d724b3). Its paths start at the root,
 * so unknown paths fall to the native not-found handler; every response of its
 * own routes, errors included, carries `x-ci-request-id` = `<RequestId>`.
 */
export const tencentDialect: Dialect = {
  name: 'tencent',
  prefix: '',
  audit: TENCENT_AUDITED_ROUTES,
  register(scope, context) {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      request.ciRequestId = newRequestId();
      reply.header('x-ci-request-id', request.ciRequestId);
    });
    // CI calls carry no body we read; whatever an SDK sends (empty JSON, XML) is not an error.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
    scope.setErrorHandler(tencentErrorReply);
    registerTencentRoutes(scope, context);
  },
};
