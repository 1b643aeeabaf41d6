/**
 * Thrown by a handler to fail its node at once: the node's retries left are
 * not used (a declined card, a missing resource, a request that will never
 * be valid). `code` is recorded with the message and, like any error's
 * `code`, can be listed in a definition's `retry.nonRetryable` instead.
 *
 * ```ts
 * throw new NonRetryableError('card declined', { code: 'CARD_DECLINED' });
 * ```
 */
export class NonRetryableError extends Error {
  /** the mark the worker reads (not `instanceof`: a workflow module may bundle its own copy of the SDK) */
  readonly nonRetryable = true as const;
  readonly code: string | undefined;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NonRetryableError';
    this.code = options.code;
  }
}

/** What a thrown value says about retrying it (core/retryPolicy.ts FailureCause): its string `code`, and the NonRetryableError mark. */
export function failureCauseOf(error: unknown): { errorCode?: string; nonRetryable?: boolean } {
  if (typeof error !== 'object' || error === null) return {};
  const { code, nonRetryable } = error as { code?: unknown; nonRetryable?: unknown };
  return {
    ...(typeof code === 'string' && code.length > 0 ? { errorCode: code.slice(0, 100) } : {}),
    ...(nonRetryable === true ? { nonRetryable: true } : {}),
  };
}
