import { FlowlineApiError, FlowlineUnreachable } from '@flowline/client';

/** What `flowline`'s exit status means, so scripts can branch on it. */
export const ExitCode = {
  OK: 0,
  /** the command failed, or the run it waited for did not succeed */
  FAILURE: 1,
  /** bad usage: unknown command or option, unreadable input file, bad configuration */
  USAGE: 2,
  NOT_FOUND: 3,
  /** no token, a wrong or expired one, or a role that may not do this */
  AUTH: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI reports in one line, exiting with its code. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

/** Maps an API answer's HTTP status to the exit code a script can act on. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliFailure) return error.exitCode;
  if (error instanceof FlowlineApiError) {
    if (error.status === 401 || error.status === 403) return ExitCode.AUTH;
    if (error.status === 404) return ExitCode.NOT_FOUND;
    return ExitCode.FAILURE;
  }
  if (error instanceof Error && error.message.startsWith('invalid configuration')) return ExitCode.USAGE;
  return ExitCode.FAILURE;
}

/** The one line printed for a failure: the API's stable code when there is one. */
export function describeFailure(error: unknown): string {
  if (error instanceof FlowlineApiError) return `${error.code}: ${error.message}`;
  if (error instanceof FlowlineUnreachable) return `cannot reach the flowline API (${error.reason}); is it running, and is --url (FLOWLINE_URL) right?`;
  return error instanceof Error ? error.message : String(error);
}
