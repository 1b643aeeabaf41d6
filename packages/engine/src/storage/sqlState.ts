/**
 * Postgres errors classified by SQLSTATE, never by message text.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export const SqlState = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
  ADMIN_SHUTDOWN: '57P01',
  CANNOT_CONNECT_NOW: '57P03',
  TOO_MANY_CONNECTIONS: '53300',
  UNDEFINED_TABLE: '42P01',
  /** the server's recursion limit: a value nested deeper than Postgres will parse */
  STACK_DEPTH_LIMIT: '54001',
  /** jsonb/text refused a character it cannot hold (U+0000) */
  UNTRANSLATABLE_CHARACTER: '22P05',
  /** flowline's own (flowline_stale_decision): a decision's conditional write matched fewer rows than decided */
  STALE_DECISION: 'FL409',
} as const;

export function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === SqlState.UNIQUE_VIOLATION;
}

/** Client-supplied text Postgres cannot store (a U+0000 in JSON input): the client's mistake, not ours. */
export function isUnstorableText(error: unknown): boolean {
  return sqlState(error) === SqlState.UNTRANSLATABLE_CHARACTER;
}

export function isUndefinedTable(error: unknown): boolean {
  return sqlState(error) === SqlState.UNDEFINED_TABLE;
}

/** Errors after which the same transaction, retried, may succeed. */
export function isRetryableTransactionError(error: unknown): boolean {
  const state = sqlState(error);
  return state === SqlState.SERIALIZATION_FAILURE || state === SqlState.DEADLOCK_DETECTED;
}

/** Socket errors of a server that is down, restarting or out of reach for now. */
const UNREACHABLE_CODES: readonly string[] = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'];

/**
 * Whether Postgres refused or dropped the connection for a reason that passes
 * (down, starting up, shutting down, out of connection slots), not for one
 * that waiting does not fix (a wrong password, a missing database).
 */
export function isPostgresUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state === SqlState.CANNOT_CONNECT_NOW || state === SqlState.ADMIN_SHUTDOWN || state === SqlState.TOO_MANY_CONNECTIONS) return true;
  return state !== undefined && UNREACHABLE_CODES.includes(state);
}
