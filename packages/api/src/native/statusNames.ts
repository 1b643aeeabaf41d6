import { Status, ValidationFailed } from '@flowline/engine';
import { ownField } from '../hygiene/ownField.ts';

/** Parses "FAIL,7" into status codes; a bad name is a 400 naming it. */
export function parseStatuses(text: string): Status[] {
  return text.split(',').map((part) => {
    const token = part.trim();
    const byName = ownField(Status as Record<string, Status>, token.toUpperCase());
    const byCode = /^-?\d+$/.test(token) ? (Object.values(Status) as number[]).find((c) => c === Number(token)) : undefined;
    const status = byName ?? (byCode as Status | undefined);
    if (status === undefined) throw new ValidationFailed(`status: unknown status ${JSON.stringify(token)}`);
    return status;
  });
}
