import { InvalidArgumentError } from 'commander';

/** An option value that must be a whole number of at least 1 (a count, a poll interval in ms). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** An option value that must be an integer, negative or not (a run's priority). */
export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

/** An option value that must be an instant (ISO 8601, with its offset or Z), as ISO 8601 UTC. */
export function isoTime(value: string): string {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('expected a time, e.g. 2026-11-18T00:00:00+08:00');
  return at.toISOString();
}
