import type { z } from 'zod';

/**
 * Parses a request part with a schema, or throws the dialect's own error with
 * one line naming the first field at fault (`pageSize: Too big…`). Dialects
 * that validate in their handlers (their parameters arrive in shapes a route
 * schema cannot state) share this, each passing how it refuses.
 */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, refuse: (message: string) => Error): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  throw refuse(field && !issue.message.startsWith(field) ? `${field}: ${issue.message}` : issue.message);
}
