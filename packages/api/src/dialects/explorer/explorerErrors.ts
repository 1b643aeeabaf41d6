import { ErrorCode, FlowlineError, clientFaultOf } from '@flowline/engine';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { validationMessage } from '../../validationMessage.ts';

/**
 * Explorer's 8-digit result codes (NebulaGraph Explorer's `ecode` table); the
 * HTTP status is always code / 100000.
 */
export const ExplorerCode = {
  BAD_REQUEST: 40004000,
  BAD_PARAM: 40004001,
  UNAUTHORIZED: 40104000,
  FORBIDDEN: 40304000,
  NOT_FOUND: 40404000,
  INTERNAL: 50004000,
} as const;
export type ExplorerCode = (typeof ExplorerCode)[keyof typeof ExplorerCode];

/** The one table from engine error codes to Explorer codes. */
const EXPLORER_CODE: Record<ErrorCode, ExplorerCode> = {
  VALIDATION_FAILED: ExplorerCode.BAD_PARAM,
  DAG_INVALID: ExplorerCode.BAD_PARAM,
  DEFINITION_NOT_FOUND: ExplorerCode.NOT_FOUND,
  DEFINITION_EXISTS: ExplorerCode.BAD_REQUEST,
  RUN_NOT_FOUND: ExplorerCode.NOT_FOUND,
  NODE_NOT_FOUND: ExplorerCode.NOT_FOUND,
  // Explorer has no conflict code: cancelling a finished job is a bad request.
  INVALID_TRANSITION: ExplorerCode.BAD_REQUEST,
  UNAUTHENTICATED: ExplorerCode.UNAUTHORIZED,
  CREDENTIAL_EXPIRED: ExplorerCode.UNAUTHORIZED,
  FORBIDDEN: ExplorerCode.FORBIDDEN,
  ROUTE_NOT_FOUND: ExplorerCode.NOT_FOUND,
  CREDENTIAL_NOT_FOUND: ExplorerCode.NOT_FOUND,
  CONFLICT: ExplorerCode.BAD_REQUEST,
  SCHEDULE_EXPRESSION_INVALID: ExplorerCode.BAD_PARAM,
  SCHEDULE_NOT_FOUND: ExplorerCode.NOT_FOUND,
  BULK_OPERATION_NOT_FOUND: ExplorerCode.NOT_FOUND,
  BACKFILL_NOT_FOUND: ExplorerCode.NOT_FOUND,
  INTERNAL: ExplorerCode.INTERNAL,
};

export function sendExplorerError(reply: FastifyReply, code: ExplorerCode, message: string): FastifyReply {
  return reply.status(Math.floor(code / 100000)).send({ code, message });
}

/**
 * Everything thrown in an Explorer route becomes `{"code":N,"message":"…"}`.
 * Fastify's own 4xx (bad JSON, schema validation, body too large) are bad
 * requests or bad params; only faults of flowline's are 50004000.
 */
export function explorerErrorReply(thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = clientFaultOf(thrown) ?? thrown;
  if (error instanceof FlowlineError) return sendExplorerError(reply, EXPLORER_CODE[error.code], error.message);
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return sendExplorerError(reply, ExplorerCode.BAD_PARAM, validationMessage({ ...fastifyError, validation: fastifyError.validation }));
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return sendExplorerError(reply, ExplorerCode.BAD_REQUEST, fastifyError.message ?? 'bad request');
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendExplorerError(reply, ExplorerCode.INTERNAL, 'internal error; see the server log');
}
