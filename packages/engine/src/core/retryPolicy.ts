import { z } from 'zod';

/** An error code as handlers give it (`error.code`) and definitions list it: `HTTP_404`, `ECONNREFUSED`, `CARD_DECLINED`. */
export const ERROR_CODE_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * How a node's failed attempts are retried, beyond `retries` and `backoffMs`:
 * the errors never worth retrying, a ceiling on the doubling backoff, and
 * jitter so that nodes failing together (a dependency down) do not all
 * retry in the same instant.
 */
export const NodeRetryPolicySchema = z
  .object({
    nonRetryable: z
      .array(z.string().regex(ERROR_CODE_PATTERN, 'error codes are 1-100 letters, digits and _ . : -'))
      .max(100)
      .optional()
      .describe('error codes (a handler error\'s `code`, e.g. HTTP_404) that fail the node at once, its retries left unused'),
    backoffMaxMs: z.number().int().min(0).max(86_400_000).optional().describe('the longest a retry waits, however many attempts have doubled backoffMs'),
    jitter: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('the share of each retry delay taken off at random (1 = "full jitter": anywhere from 0 to the delay); the same for a run, node and attempt'),
  })
  .strict();

/** A node's retry policy (see NodeRetryPolicySchema). */
export type NodeRetryPolicy = z.output<typeof NodeRetryPolicySchema>;

/** What a failed attempt said about itself: the error's code, and whether its handler ruled out retrying (NonRetryableError). */
export interface FailureCause {
  readonly errorCode?: string;
  readonly nonRetryable?: boolean;
}

/** Whether a failure may be retried under a policy: not when its handler said so, nor when the policy lists its code. */
export function isRetryable(policy: NodeRetryPolicy | undefined, cause: FailureCause): boolean {
  if (cause.nonRetryable) return false;
  return cause.errorCode === undefined || !(policy?.nonRetryable?.includes(cause.errorCode) ?? false);
}

/**
 * How long the `handlerAttempt`-th attempt's retry waits: backoffMs doubled
 * per attempt, capped at backoffMaxMs, less up to `jitter` of it. The jitter
 * is drawn from a hash of `seed` (the run, node and attempt), not from a
 * random source: decide() stays a pure function of its input, and deciding
 * the same failure again gives the same delay.
 */
export function retryDelayMs(backoffMs: number, policy: NodeRetryPolicy | undefined, handlerAttempt: number, seed: string): number {
  const doubled = backoffMs * 2 ** (handlerAttempt - 1);
  const capped = policy?.backoffMaxMs === undefined ? doubled : Math.min(doubled, policy.backoffMaxMs);
  const jitter = policy?.jitter ?? 0;
  return jitter === 0 ? capped : Math.round(capped * (1 - jitter * unitHash(seed)));
}

/** A number in [0, 1) from a string: 32-bit FNV-1a, enough to spread retries, not for secrets. */
function unitHash(seed: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
}

/** A non-retryable failure's outcome: its error says so, with its code, so the record tells why its retries were left unused. */
export function nonRetryableOutcome<T extends { readonly error?: string }>(outcome: T, cause: FailureCause): T {
  const mark = `non-retryable${cause.errorCode === undefined ? '' : ` ${cause.errorCode}`}`;
  return { ...outcome, error: outcome.error ? `${outcome.error} (${mark})` : mark };
}

/** The seed of an attempt's jitter: its run, node and attempt. */
export function jitterSeed(runId: string | undefined, node: string, attempt: number): string {
  return `${runId ?? ''}/${node}/${attempt}`;
}
