import { ErrorCode, FlowlineError, InvalidTransition, clientFaultOf } from '@flowline/engine';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** TiEM's body codes that flowline answers with. */
export const TiemCode = {
  OK: 0,
  BAD_PARAMS: 10004,
  WORKFLOW_NOT_FOUND: 40102,
  START_FAILED: 40103,
  STOP_FAILED: 40106,
  CANCEL_FAILED: 40107,
  TOKEN_MISSING: 70600,
  TOKEN_EXPIRED: 70602,
  ROLE_NOT_ALLOWED: 70650,
  INTERNAL: 9999,
} as const;
export type TiemCode = (typeof TiemCode)[keyof typeof TiemCode];

/** An error answered in TiEM's shape. */
export class TiemError extends Error {
  constructor(
    readonly code: TiemCode,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The one table from engine errors to TiEM codes and HTTP statuses. TiEM itself
 * answers some of these with HTTP 500; flowline keeps the body code but answers
 * a client's mistake with a 4xx (design.md), so a 5xx always means our fault.
 */
const BY_ENGINE_CODE: Record<ErrorCode, [TiemCode, number]> = {
  VALIDATION_FAILED: [TiemCode.BAD_PARAMS, 400],
  DAG_INVALID: [TiemCode.BAD_PARAMS, 400],
  SCHEDULE_EXPRESSION_INVALID: [TiemCode.BAD_PARAMS, 400],
  RUN_NOT_FOUND: [TiemCode.WORKFLOW_NOT_FOUND, 404],
  DEFINITION_NOT_FOUND: [TiemCode.WORKFLOW_NOT_FOUND, 404],
  NODE_NOT_FOUND: [TiemCode.WORKFLOW_NOT_FOUND, 404],
  SCHEDULE_NOT_FOUND: [TiemCode.WORKFLOW_NOT_FOUND, 404],
  BULK_OPERATION_NOT_FOUND: [TiemCode.WORKFLOW_NOT_FOUND, 404],
  BACKFILL_NOT_FOUND: [TiemCode.WORKFLOW_NOT_FOUND, 404],
  CREDENTIAL_NOT_FOUND: [TiemCode.BAD_PARAMS, 404],
  ROUTE_NOT_FOUND: [TiemCode.BAD_PARAMS, 404],
  DEFINITION_EXISTS: [TiemCode.BAD_PARAMS, 409],
  CONFLICT: [TiemCode.BAD_PARAMS, 409],
  // refused transitions are answered by operation, below
  INVALID_TRANSITION: [TiemCode.START_FAILED, 409],
  UNAUTHENTICATED: [TiemCode.TOKEN_MISSING, 401],
  CREDENTIAL_EXPIRED: [TiemCode.TOKEN_EXPIRED, 401],
  FORBIDDEN: [TiemCode.ROLE_NOT_ALLOWED, 403],
  INTERNAL: [TiemCode.INTERNAL, 500],
};

/** A refused transition is reported under the code of the TiEM operation that asked for it. */
const BY_OPERATION: Record<string, TiemCode> = {
  resume: TiemCode.START_FAILED,
  rerun: TiemCode.START_FAILED,
  suspend: TiemCode.STOP_FAILED,
  cancel: TiemCode.CANCEL_FAILED,
};

export interface TiemErrorBody {
  code: number;
  message: string;
  data: Record<string, never>;
}

const body = (code: number, message: string): TiemErrorBody => ({ code, message, data: {} });

export function tiemErrorReply(thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = clientFaultOf(thrown) ?? thrown;
  if (error instanceof TiemError) return reply.status(error.httpStatus).send(body(error.code, error.message));
  if (error instanceof InvalidTransition) {
    return reply.status(409).send(body(BY_OPERATION[error.operation] ?? TiemCode.START_FAILED, error.message));
  }
  if (error instanceof FlowlineError) {
    const [code, status] = BY_ENGINE_CODE[error.code];
    return reply.status(status).send(body(code, error.message));
  }
  const status = (error as Partial<FastifyError>).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.status(status).send(body(TiemCode.BAD_PARAMS, (error as Error).message));
  }
  request.log.error({ err: error }, 'unhandled error in the TiEM dialect');
  return reply.status(500).send(body(TiemCode.INTERNAL, 'internal error; see the server log'));
}

export function tiemNotFoundReply(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(404).send(body(TiemCode.BAD_PARAMS, `no route ${request.method} ${request.url}`));
}
