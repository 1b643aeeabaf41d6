import { z } from 'zod';

/** The most runs a concurrency limit may let run at once. */
export const MAX_CONCURRENCY_LIMIT = 10_000;

/** A key path into the run input: keys (identifiers) or list indexes, dot-separated ("bizId", "customer.id"). */
const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|[0-9]+)){0,15}$/;

/**
 * A workflow's `concurrency`: at most `limit` of its runs execute at once —
 * per value of `key` (a path into the run input) when given. A run over the
 * limit is started READY with its root nodes held (WAIT) and admitted, first
 * started first per key, when a run of its key ends (storage/admitRuns.ts).
 */
export const ConcurrencySpecSchema = z
  .object({
    limit: z.number().int().min(1).max(MAX_CONCURRENCY_LIMIT).describe('at most this many runs (per key) execute at once'),
    key: z
      .string()
      .max(200)
      .regex(KEY_PATTERN, 'key is a path into the run input: keys or list indexes joined by dots ("bizId", "customer.id")')
      .optional()
      .describe('a path into the run input whose value groups runs: the limit holds per value (e.g. "bizId")'),
  })
  .strict();

/** A workflow's concurrency limit (see ConcurrencySpecSchema). */
export type ConcurrencySpec = z.output<typeof ConcurrencySpecSchema>;

/**
 * The group a run's slot is counted in: the value at `key` in its input, as
 * text (a string as is, anything else as JSON); '' without a key, or when the
 * input has nothing there (such runs share one group).
 */
export function concurrencyKeyOf(spec: ConcurrencySpec, input: unknown): string {
  if (spec.key === undefined) return '';
  let value: unknown = input;
  for (const key of spec.key.split('.')) {
    if (Array.isArray(value)) value = /^[0-9]+$/.test(key) ? value[Number(key)] : undefined;
    else if (value !== null && typeof value === 'object') value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    else value = undefined;
    if (value === undefined) return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
