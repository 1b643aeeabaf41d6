import { ErrorCode, FlowlineError, clientFaultOf } from '@flowline/engine';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * EnOS body codes flowline answers with. The batch-processing API documents
 * one code of its own (62102, bad sorter field) and defers the rest to its
 * gateway's common codes; for those, flowline uses the HTTP status as the body
 * code too, so a client reading either sees the same class of error.
 */
export const EnosCode = {
  OK: 0,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL: 500,
  INVALID_SORTER: 62102,
} as const;
export type EnosCode = (typeof EnosCode)[keyof typeof EnosCode];

export class EnosError extends Error {
  constructor(
    readonly code: EnosCode,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

/** The one table from engine errors to EnOS codes. */
const BY_ENGINE_CODE: Record<ErrorCode, [EnosCode, number]> = {
  VALIDATION_FAILED: [EnosCode.BAD_REQUEST, 400],
  DAG_INVALID: [EnosCode.BAD_REQUEST, 400],
  SCHEDULE_EXPRESSION_INVALID: [EnosCode.BAD_REQUEST, 400],
  RUN_NOT_FOUND: [EnosCode.NOT_FOUND, 404],
  DEFINITION_NOT_FOUND: [EnosCode.NOT_FOUND, 404],
  NODE_NOT_FOUND: [EnosCode.NOT_FOUND, 404],
  SCHEDULE_NOT_FOUND: [EnosCode.NOT_FOUND, 404],
  BULK_OPERATION_NOT_FOUND: [EnosCode.NOT_FOUND, 404],
  BACKFILL_NOT_FOUND: [EnosCode.NOT_FOUND, 404],
  CREDENTIAL_NOT_FOUND: [EnosCode.NOT_FOUND, 404],
  ROUTE_NOT_FOUND: [EnosCode.NOT_FOUND, 404],
  DEFINITION_EXISTS: [EnosCode.CONFLICT, 409],
  CONFLICT: [EnosCode.CONFLICT, 409],
  INVALID_TRANSITION: [EnosCode.CONFLICT, 409],
  UNAUTHENTICATED: [EnosCode.UNAUTHORIZED, 401],
  CREDENTIAL_EXPIRED: [EnosCode.UNAUTHORIZED, 401],
  FORBIDDEN: [EnosCode.FORBIDDEN, 403],
  INTERNAL: [EnosCode.INTERNAL, 500],
};

export function enosErrorReply(thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = clientFaultOf(thrown) ?? thrown;
  if (error instanceof EnosError) return reply.status(error.httpStatus).send({ code: error.code, msg: error.message });
  if (error instanceof FlowlineError) {
    const [code, status] = BY_ENGINE_CODE[error.code];
    return reply.status(status).send({ code, msg: error.message });
  }
  const status = (error as Partial<FastifyError>).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.status(status).send({ code: status, msg: (error as Error).message });
  }
  request.log.error({ err: error }, 'unhandled error in the EnOS dialect');
  return reply.status(500).send({ code: EnosCode.INTERNAL, msg: 'internal error; see the server log' });
}

export function enosNotFoundReply(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(404).send({ code: EnosCode.NOT_FOUND, msg: `no route ${request.method} ${request.url}` });
}
