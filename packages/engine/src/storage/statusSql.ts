import type { Status } from '../core/status.ts';

/** SQL: a list of status codes as a smallint array literal, for `status = ANY(…)` and `status <> ALL(…)` in statement texts kept as constants. */
export function statusArraySql(statuses: readonly Status[]): string {
  return `ARRAY[${statuses.join(',')}]::smallint[]`;
}
