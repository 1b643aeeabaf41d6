import { ErrorCode, FlowlineError, clientFaultOf } from '@flowline/engine';
import type { FastifyError } from 'fastify';

/**
 * Pandora's errors as its document lists them: the HTTP status and the code that
 * prefixes the message (`{"error":"E18641: …"}`). Qiniu's SDK reads the code
 * from the first six characters of `error`, so the prefix is the contract.
 * 401 has no code: the vendor answers `bad token` for every auth failure.
 * E18665 (access denied) and E9000 (internal) are not in the document but are
 * codes Qiniu's SDK knows.
 */
export const PandoraFault = {
  MISSING_CONTENT_LENGTH: { status: 411, code: 'E18003', text: 'missing Content-Length' },
  INVALID_CONTENT_LENGTH: { status: 400, code: 'E18004', text: 'invalid Content-Length' },
  ENTITY_TOO_LARGE: { status: 413, code: 'E18005', text: 'request entity too large' },
  EMPTY_BODY: { status: 400, code: 'E18006', text: 'request body is empty' },
  MALFORMED_BODY: { status: 400, code: 'E18007', text: 'request body is not valid JSON' },
  FIELD_TOO_LONG: { status: 400, code: 'E18008', text: 'field too long' },
  INVALID_WORKFLOW_NAME: { status: 400, code: 'E18639', text: 'invalid workflow name' },
  WORKFLOW_EXISTS: { status: 409, code: 'E18640', text: 'workflow already exists' },
  WORKFLOW_NOT_FOUND: { status: 404, code: 'E18641', text: 'workflow does not exist' },
  INVALID_WORKFLOW: { status: 400, code: 'E18642', text: 'invalid workflow' },
  START_NOT_ALLOWED: { status: 400, code: 'E18644', text: 'the workflow may not be started now' },
  STOP_NOT_ALLOWED: { status: 400, code: 'E18645', text: 'the workflow may not be stopped now' },
  ACCESS_DENIED: { status: 403, code: 'E18665', text: 'access denied' },
  BAD_TOKEN: { status: 401, code: undefined, text: 'bad token' },
  ROUTE_NOT_FOUND: { status: 404, code: undefined, text: '404 page not found' },
  INTERNAL: { status: 500, code: 'E9000', text: 'internal server error' },
} as const;
export type PandoraFault = (typeof PandoraFault)[keyof typeof PandoraFault];

/** An error the Pandora dialect answers with as it is. */
export class PandoraError extends Error {
  constructor(
    readonly fault: PandoraFault,
    readonly detail?: string,
  ) {
    super(detail ?? fault.text);
  }
}

/** The one table from engine error codes to Pandora's. */
const ENGINE_FAULTS: Record<ErrorCode, PandoraFault | ((error: FlowlineError) => PandoraFault)> = {
  VALIDATION_FAILED: PandoraFault.INVALID_WORKFLOW,
  DAG_INVALID: PandoraFault.INVALID_WORKFLOW,
  DEFINITION_NOT_FOUND: PandoraFault.WORKFLOW_NOT_FOUND,
  DEFINITION_EXISTS: PandoraFault.WORKFLOW_EXISTS,
  RUN_NOT_FOUND: PandoraFault.WORKFLOW_NOT_FOUND,
  NODE_NOT_FOUND: PandoraFault.WORKFLOW_NOT_FOUND,
  // stop cancels the run; every other operation the dialect asks for starts one
  INVALID_TRANSITION: (error) => (error.details?.operation === 'cancel' ? PandoraFault.STOP_NOT_ALLOWED : PandoraFault.START_NOT_ALLOWED),
  UNAUTHENTICATED: PandoraFault.BAD_TOKEN,
  CREDENTIAL_EXPIRED: PandoraFault.BAD_TOKEN,
  FORBIDDEN: PandoraFault.ACCESS_DENIED,
  ROUTE_NOT_FOUND: PandoraFault.ROUTE_NOT_FOUND,
  CREDENTIAL_NOT_FOUND: PandoraFault.BAD_TOKEN,
  CONFLICT: PandoraFault.WORKFLOW_EXISTS,
  SCHEDULE_EXPRESSION_INVALID: PandoraFault.INVALID_WORKFLOW,
  SCHEDULE_NOT_FOUND: PandoraFault.WORKFLOW_NOT_FOUND,
  BULK_OPERATION_NOT_FOUND: PandoraFault.WORKFLOW_NOT_FOUND,
  BACKFILL_NOT_FOUND: PandoraFault.WORKFLOW_NOT_FOUND,
  INTERNAL: PandoraFault.INTERNAL,
};

/** Fastify's own request errors (body parsing, limits), by their stable codes. */
const FASTIFY_FAULTS: Record<string, PandoraFault> = {
  FST_ERR_CTP_BODY_TOO_LARGE: PandoraFault.ENTITY_TOO_LARGE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: PandoraFault.INVALID_CONTENT_LENGTH,
  FST_ERR_CTP_EMPTY_JSON_BODY: PandoraFault.EMPTY_BODY,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: PandoraFault.MALFORMED_BODY,
};

export interface PandoraErrorReply {
  readonly status: number;
  readonly body: { error: string };
  /** true when the fault is flowline's, to be logged */
  readonly internal: boolean;
}

/** Anything thrown in the dialect, as Pandora's status and `{"error":"<code>: <message>"}`. */
export function pandoraErrorReply(thrown: unknown): PandoraErrorReply {
  const error = clientFaultOf(thrown) ?? thrown;
  if (error instanceof PandoraError) return render(error.fault, error.detail);
  if (error instanceof FlowlineError) {
    const entry = ENGINE_FAULTS[error.code];
    return render(typeof entry === 'function' ? entry(error) : entry, error.message);
  }
  const fastifyError = error as Partial<FastifyError>;
  const known = fastifyError.code === undefined ? undefined : FASTIFY_FAULTS[fastifyError.code];
  if (known) return render(known, fastifyError.message);
  const status = fastifyError.statusCode;
  // Any other 4xx fastify raises is about the request's body or framing: the client's mistake.
  if (status !== undefined && status >= 400 && status < 500) return render(PandoraFault.MALFORMED_BODY, fastifyError.message);
  return { ...render(PandoraFault.INTERNAL, 'internal error; see the server log'), internal: true };
}

function render(fault: PandoraFault, detail?: string): PandoraErrorReply {
  const message = detail === undefined || detail === fault.text ? fault.text : `${fault.text}: ${detail}`;
  return { status: fault.status, body: { error: fault.code === undefined ? message : `${fault.code}: ${message}` }, internal: false };
}
