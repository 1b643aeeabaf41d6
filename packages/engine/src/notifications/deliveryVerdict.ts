/** Where a delivery stands. */
export const DeliveryStatus = { PENDING: 'PENDING', DELIVERED: 'DELIVERED', DEAD: 'DEAD' } as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/** How failed deliveries are retried: the first retry after `retryMs`, each next one twice as late, never more than `retryMaxMs`; given up after `maxAttempts`. */
export interface RetryPolicy {
  readonly retryMs: number;
  readonly retryMaxMs: number;
  readonly maxAttempts: number;
}

/**
 * What becomes of a delivery after an attempt (pure): delivered on a 2xx,
 * else retried with exponential backoff until its attempts run out, then DEAD.
 */
export function deliveryVerdict(delivered: boolean, attempt: number, policy: RetryPolicy, now: Date): { status: DeliveryStatus; nextAttemptAt: Date } {
  if (delivered) return { status: DeliveryStatus.DELIVERED, nextAttemptAt: now };
  if (attempt >= policy.maxAttempts) return { status: DeliveryStatus.DEAD, nextAttemptAt: now };
  const waitMs = Math.min(policy.retryMs * 2 ** Math.min(attempt - 1, 40), policy.retryMaxMs);
  return { status: DeliveryStatus.PENDING, nextAttemptAt: new Date(now.getTime() + waitMs) };
}
