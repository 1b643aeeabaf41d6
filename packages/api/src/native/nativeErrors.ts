import { ErrorCode, FlowlineError, clientFaultOf } from '@flowline/engine';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { validationMessage } from '../validationMessage.ts';

/** The native API's one table from error code to HTTP status. */
const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  DAG_INVALID: 400,
  DEFINITION_NOT_FOUND: 404,
  DEFINITION_EXISTS: 409,
  RUN_NOT_FOUND: 404,
  NODE_NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  UNAUTHENTICATED: 401,
  CREDENTIAL_EXPIRED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  CREDENTIAL_NOT_FOUND: 404,
  CONFLICT: 409,
  SCHEDULE_EXPRESSION_INVALID: 400,
  SCHEDULE_NOT_FOUND: 404,
  BULK_OPERATION_NOT_FOUND: 404,
  BACKFILL_NOT_FOUND: 404,
  INTERNAL: 500,
};

export interface NativeErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/**
 * Maps anything thrown in a native route to `{"error":{"code","message"}}`.
 * Fastify's own 4xx (bad JSON, schema validation, body too large) stay 4xx with
 * a stable code; only faults of flowline's are a 500, and those never leak internals.
 */
export function nativeErrorReply(thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = clientFaultOf(thrown) ?? thrown;
  if (error instanceof FlowlineError) {
    return reply.status(HTTP_STATUS[error.code]).send(body(error.code, error.message, error.details));
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return reply.status(400).send(body(ErrorCode.VALIDATION_FAILED, validationMessage({ ...fastifyError, validation: fastifyError.validation })));
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.status(status).send(body(ErrorCode.VALIDATION_FAILED, fastifyError.message ?? 'bad request'));
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(body(ErrorCode.INTERNAL, 'internal error; see the server log'));
}

function body(code: ErrorCode, message: string, details?: Record<string, unknown>): NativeErrorBody {
  return { error: { code, message, ...(details ? { details } : {}) } };
}
