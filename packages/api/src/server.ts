import { MetricsAccess, type CredentialAuthority, type Engine } from '@flowline/engine';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { registerAuditTrail } from './audit/auditTrailHook.ts';
import { DIALECTS } from './dialects/index.ts';
import { registerHealthRoutes } from './healthRoutes.ts';
import { registerInputHygiene } from './hygiene/inputHygiene.ts';
import { registerMetricsRoute } from './metricsRoute.ts';
import { registerAuditRoutes } from './native/auditRoutes.ts';
import { registerBackfillRoutes } from './native/backfillRoutes.ts';
import { registerBulkOperationRoutes } from './native/bulkOperationRoutes.ts';
import { NATIVE_AUDITED_ROUTES } from './native/nativeAudit.ts';
import { registerCredentialRoutes } from './native/credentialRoutes.ts';
import { registerDefinitionRoutes } from './native/definitionRoutes.ts';
import { registerNotificationRoutes } from './native/notificationRoutes.ts';
import { registerHandlerRoutes } from './native/handlerRoutes.ts';
import { registerPrincipalRoutes } from './native/principalRoutes.ts';
import { nativeErrorReply } from './native/nativeErrors.ts';
import { registerRunRoutes } from './native/runRoutes.ts';
import { registerSignalRoutes } from './native/signalRoutes.ts';
import { registerScheduleRoutes } from './native/scheduleRoutes.ts';
import { registerOpenApi } from './openApi.ts';
import { registerSecurityHeaders } from './securityHeaders.ts';
import { registerUiRoutes } from './ui/uiRoutes.ts';

/** What the HTTP server serves: the engine, the credentials it checks, and how it logs and renders times. */
export interface ServerOptions {
  readonly engine: Engine;
  readonly authority: CredentialAuthority;
  /** IANA zone the vendor dialects render times in */
  readonly timeZone?: string;
  readonly logger?: Logger;
  /** largest accepted request body */
  readonly bodyLimit?: number;
  /**
   * `credential` (the default): /metrics here, for a token of the metrics
   * permission; `port`: not here, the process serves it on its metrics port.
   */
  readonly metricsAccess?: MetricsAccess;
}

/** Builds the HTTP server: native API, OpenAPI, health, and every vendor dialect. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Per-request lines only at warn and above: a busy API must not log every poll.
    ...(options.logger ? { loggerInstance: options.logger.child({}, { level: 'warn' }) } : {}),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Workflow names are up to 128 characters (Pandora's rule); find-my-way's default of 100 answers a longer one with a bare 414.
    routerOptions: { maxParamLength: 512 },
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => nativeErrorReply(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url}` } }),
  );
  registerInputHygiene(app);
  registerSecurityHeaders(app);
  registerAuditTrail(app, options.engine, [
    { name: 'native', prefix: '', routes: NATIVE_AUDITED_ROUTES },
    ...DIALECTS.map((d) => ({ name: d.name, prefix: d.prefix, routes: d.audit })),
  ]);
  await registerOpenApi(app);
  const native = { engine: options.engine, authority: options.authority };
  registerHealthRoutes(app, options.engine);
  if ((options.metricsAccess ?? MetricsAccess.CREDENTIAL) === MetricsAccess.CREDENTIAL) registerMetricsRoute(app, options.engine.metrics, options.authority);
  registerUiRoutes(app);
  registerDefinitionRoutes(app, native);
  registerHandlerRoutes(app, native);
  registerRunRoutes(app, native);
  registerSignalRoutes(app, native);
  registerScheduleRoutes(app, native);
  registerCredentialRoutes(app, native);
  registerPrincipalRoutes(app, native);
  registerAuditRoutes(app, native);
  registerBulkOperationRoutes(app, native);
  registerBackfillRoutes(app, native);
  registerNotificationRoutes(app, native);
  const dialectContext = { ...native, timeZone: options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone };
  for (const dialect of DIALECTS) {
    await app.register(async (scope) => dialect.register(scope, dialectContext), { prefix: dialect.prefix });
  }
  await app.ready();
  return app;
}
