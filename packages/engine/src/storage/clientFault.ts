import { Conflict, ValidationFailed, type FlowlineError } from '../errors.ts';
import { SqlState, sqlState } from './sqlState.ts';

/**
 * A Postgres error that a client's input caused, as the typed error every
 * dialect maps to its own 4xx; undefined for anything else (flowline's fault,
 * a 5xx). Classified by SQLSTATE, never by message, and the message names no
 * value: a unique key may be another org's (an Explorer user name).
 * The input-hygiene layer refuses such input before it reaches Postgres; this
 * is the net under it, so a client's mistake never becomes a 500.
 */
export function clientFaultOf(error: unknown): FlowlineError | undefined {
  const state = sqlState(error);
  if (state === undefined) return undefined;
  if (state === SqlState.UNIQUE_VIOLATION) return new Conflict('a record with that key already exists');
  // Class 22, data exception: a value out of range, unparseable, or holding a character Postgres cannot store.
  if (state.startsWith('22')) return new ValidationFailed('the request holds a value that cannot be stored');
  if (state === SqlState.STACK_DEPTH_LIMIT) return new ValidationFailed('the request nests values too deeply to be stored');
  return undefined;
}
