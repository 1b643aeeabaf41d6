/**
 * Typed errors with stable codes. A code is never reused for another meaning;
 * each HTTP dialect maps these codes to its own status and body in one table.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  DAG_INVALID: 'DAG_INVALID',
  DEFINITION_NOT_FOUND: 'DEFINITION_NOT_FOUND',
  DEFINITION_EXISTS: 'DEFINITION_EXISTS',
  RUN_NOT_FOUND: 'RUN_NOT_FOUND',
  NODE_NOT_FOUND: 'NODE_NOT_FOUND',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  CREDENTIAL_EXPIRED: 'CREDENTIAL_EXPIRED',
  FORBIDDEN: 'FORBIDDEN',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  CREDENTIAL_NOT_FOUND: 'CREDENTIAL_NOT_FOUND',
  CONFLICT: 'CONFLICT',
  SCHEDULE_EXPRESSION_INVALID: 'SCHEDULE_EXPRESSION_INVALID',
  SCHEDULE_NOT_FOUND: 'SCHEDULE_NOT_FOUND',
  BULK_OPERATION_NOT_FOUND: 'BULK_OPERATION_NOT_FOUND',
  BACKFILL_NOT_FOUND: 'BACKFILL_NOT_FOUND',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The base of every typed error: a stable `code` (never reused), a message, and details a dialect may show. */
export class FlowlineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request or spec that does not validate: always the client's mistake (a 4xx). */
export class ValidationFailed extends FlowlineError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorCode.VALIDATION_FAILED, message, details);
  }
}

/** A workflow's DAG is malformed; `node` names the offending node when there is one. */
export class DagInvalid extends FlowlineError {
  constructor(message: string, readonly node?: string) {
    super(ErrorCode.DAG_INVALID, message, node === undefined ? undefined : { node });
  }
}

/** No definition of that name that the org may see. */
export class DefinitionNotFound extends FlowlineError {
  constructor(name: string) {
    super(ErrorCode.DEFINITION_NOT_FOUND, `workflow definition ${JSON.stringify(name)} does not exist`, { name });
  }
}

/** No run with that id in the caller's org. */
export class RunNotFound extends FlowlineError {
  constructor(id: string) {
    super(ErrorCode.RUN_NOT_FOUND, `run ${JSON.stringify(id)} does not exist`, { id });
  }
}

/** The run's definition has no node of that name. */
export class NodeNotFound extends FlowlineError {
  constructor(node: string) {
    super(ErrorCode.NODE_NOT_FOUND, `the run has no node ${JSON.stringify(node)}`, { node });
  }
}

/** An operation asked for a status change the state machine does not allow from where the record is. */
export class InvalidTransition extends FlowlineError {
  constructor(
    readonly operation: string,
    readonly currentStatus: string,
    message?: string,
  ) {
    super(
      ErrorCode.INVALID_TRANSITION,
      message ?? `cannot ${operation} a run whose status is ${currentStatus}`,
      { operation, status: currentStatus },
    );
  }
}

/** No credential, or one that matches nothing (or was revoked). */
export class Unauthenticated extends FlowlineError {
  constructor(message = 'missing or unknown credential') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

/** The credential was valid once and has expired. */
export class CredentialExpired extends FlowlineError {
  constructor() {
    super(ErrorCode.CREDENTIAL_EXPIRED, 'the credential has expired');
  }
}

/** The caller is known but its role (or its org) does not allow the operation; `message` says which when it is not the role alone. */
export class Forbidden extends FlowlineError {
  constructor(role: string, permission: string, message = `role ${role} may not ${permission}`) {
    super(ErrorCode.FORBIDDEN, message, { role, permission });
  }
}

/**
 * The write collides with a record that already exists (a unique key). The
 * message never names the other record: it may belong to another org.
 */
export class Conflict extends FlowlineError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}

/** A definition of that name already exists in the org: update it instead. */
export class DefinitionExists extends FlowlineError {
  constructor(name: string) {
    super(ErrorCode.DEFINITION_EXISTS, `workflow definition ${JSON.stringify(name)} already exists; update it instead`, { name });
  }
}

/** No credential with that id in the caller's org. */
export class CredentialNotFound extends FlowlineError {
  constructor(id: string) {
    super(ErrorCode.CREDENTIAL_NOT_FOUND, `credential ${JSON.stringify(id)} does not exist`, { id });
  }
}

/** A cron expression (Quartz or Unix) that flowline cannot evaluate; the message says which field and why. */
export class ScheduleExpressionInvalid extends FlowlineError {
  constructor(expression: string, reason: string) {
    super(ErrorCode.SCHEDULE_EXPRESSION_INVALID, `schedule expression ${JSON.stringify(expression)} is invalid: ${reason}`, { expression, reason });
  }
}

/** No schedule with that id among the org's definitions. */
export class ScheduleNotFound extends FlowlineError {
  constructor(id: string) {
    super(ErrorCode.SCHEDULE_NOT_FOUND, `schedule ${JSON.stringify(id)} does not exist`, { id });
  }
}

/** No bulk operation with that id in the caller's org. */
export class BulkOperationNotFound extends FlowlineError {
  constructor(id: string) {
    super(ErrorCode.BULK_OPERATION_NOT_FOUND, `bulk operation ${JSON.stringify(id)} does not exist`, { id });
  }
}

/** No backfill with that id among the org's schedules. */
export class BackfillNotFound extends FlowlineError {
  constructor(id: string) {
    super(ErrorCode.BACKFILL_NOT_FOUND, `backfill ${JSON.stringify(id)} does not exist`, { id });
  }
}
