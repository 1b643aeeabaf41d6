import { z } from 'zod';

/** The native error body, for OpenAPI. */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string().describe('stable code, e.g. RUN_NOT_FOUND'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** The error responses every authenticated route can give. */
export const AUTH_ERRORS = { 401: ErrorBodySchema, 403: ErrorBodySchema } as const;
