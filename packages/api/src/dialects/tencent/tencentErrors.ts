import { ErrorCode, FlowlineError, clientFaultOf } from '@flowline/engine';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { validationMessage } from '../../validationMessage.ts';
import { tencentXml } from './tencentXml.ts';

/** An error answered with a COS/CI error code that has no engine counterpart (the signature checks). */
export class TencentError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

/** The one table from engine error codes to CI error codes and HTTP statuses. */
const BY_ENGINE_CODE: Record<ErrorCode, readonly [string, number]> = {
  VALIDATION_FAILED: ['InvalidArgument', 400],
  DAG_INVALID: ['InvalidArgument', 400],
  SCHEDULE_EXPRESSION_INVALID: ['InvalidArgument', 400],
  DEFINITION_NOT_FOUND: ['NoSuchResource', 404],
  RUN_NOT_FOUND: ['NoSuchResource', 404],
  NODE_NOT_FOUND: ['NoSuchResource', 404],
  ROUTE_NOT_FOUND: ['NoSuchResource', 404],
  CREDENTIAL_NOT_FOUND: ['NoSuchResource', 404],
  SCHEDULE_NOT_FOUND: ['NoSuchResource', 404],
  BULK_OPERATION_NOT_FOUND: ['NoSuchResource', 404],
  BACKFILL_NOT_FOUND: ['NoSuchResource', 404],
  DEFINITION_EXISTS: ['Conflict', 409],
  INVALID_TRANSITION: ['Conflict', 409],
  CONFLICT: ['Conflict', 409],
  // COS answers an unknown SecretId with InvalidAccessKeyId, a refused one with AccessDenied.
  UNAUTHENTICATED: ['InvalidAccessKeyId', 403],
  CREDENTIAL_EXPIRED: ['AccessDenied', 403],
  FORBIDDEN: ['AccessDenied', 403],
  INTERNAL: ['InternalError', 500],
};

declare module 'fastify' {
  interface FastifyRequest {
    /** the CI request id: `<RequestId>` of the body and the `x-ci-request-id` header */
    ciRequestId?: string;
  }
}

/** `<Error><Code/><Message/><RequestId/></Error>` with its HTTP status; the header was set when the request arrived. */
export function sendTencentError(request: FastifyRequest, reply: FastifyReply, code: string, status: number, message: string): FastifyReply {
  return reply
    .status(status)
    .type('application/xml')
    .send(tencentXml({ Error: { Code: code, Message: message, RequestId: request.ciRequestId ?? '' } }));
}

export function tencentErrorReply(thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = clientFaultOf(thrown) ?? thrown;
  if (error instanceof TencentError) return sendTencentError(request, reply, error.code, error.httpStatus, error.message);
  if (error instanceof FlowlineError) {
    const [code, status] = BY_ENGINE_CODE[error.code];
    return sendTencentError(request, reply, code, status, error.message);
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const message = validationMessage({ ...fastifyError, validation: fastifyError.validation });
    return sendTencentError(request, reply, 'InvalidArgument', 400, message);
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return sendTencentError(request, reply, 'InvalidArgument', status, fastifyError.message ?? 'bad request');
  }
  request.log.error({ err: error }, 'unhandled error in the Tencent CI dialect');
  return sendTencentError(request, reply, 'InternalError', 500, 'internal error; see the server log');
}
