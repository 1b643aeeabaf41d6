// The order service's workflow: charge an order's card, then ship it.
//
//   charge → ship
//
// It shows three ways of controlling how runs execute:
//
// - Retry policies. `charge` is retried on a processor's transient errors
//   with a capped, jittered backoff (`retry: { backoffMaxMs, jitter }`); a
//   declined card is thrown as a NonRetryableError, which fails the node at
//   once, its retries left unused, the record saying CARD_DECLINED.
// - A concurrency limit. At most one fulfilment per customer runs at a time
//   (`concurrency: { limit: 1, key: 'customerId' }`): a second order of the
//   same customer waits READY until the first has ended, whichever worker
//   runs them, so two charges of one customer never race.
// - Priorities, given at start (see placeOrders.js): express orders' nodes
//   are dispatched before standard ones.
import { setTimeout as sleep } from 'node:timers/promises';
import { NonRetryableError, defineWorkflow, z } from '@flowline/sdk';

/** Orders over this are declined, as a card's limit would be. */
const CARD_LIMIT_CENTS = 50_000;

export const FulfilOrder = defineWorkflow({
  name: 'FulfilOrder',
  description: 'Charge an order and ship it; one order per customer at a time',
  input: z.object({
    orderId: z.string().min(1),
    customerId: z.string().min(1).describe('orders of one customer run one at a time'),
    amountCents: z.number().int().min(1),
    /** processor errors before the charge goes through (a simulated flaky processor) */
    flakyAttempts: z.number().int().min(0).max(3).default(0),
  }),
  concurrency: { limit: 1, key: 'customerId' },
})
  .node(
    'charge',
    { retries: 4, backoffMs: 200, retry: { backoffMaxMs: 1000, jitter: 0.5, nonRetryable: ['FRAUD_SUSPECTED'] }, description: "charges the order's card" },
    async (ctx) => {
      const { orderId, amountCents, flakyAttempts } = ctx.input;
      if (amountCents > CARD_LIMIT_CENTS) throw new NonRetryableError(`card declined for order ${orderId}: over its limit`, { code: 'CARD_DECLINED' });
      // A code the definition lists as non-retryable, thrown as any error with a `code`: not retried either.
      if (orderId.startsWith('fraud-')) throw Object.assign(new Error(`order ${orderId} held for review`), { code: 'FRAUD_SUSPECTED' });
      // Anything else is retried: 200 ms, 400 ms, 800 ms, then 1 s at most, each up to half shorter at random.
      if (ctx.attempt <= flakyAttempts) throw Object.assign(new Error('payment processor unavailable (simulated)'), { code: 'PROCESSOR_503' });
      await sleep(100);
      ctx.log(`charged ${amountCents} cents for order ${orderId} on attempt ${ctx.attempt}`);
      return { chargeId: `ch_${ctx.runId}`, attempt: ctx.attempt };
    },
  )
  .node('ship', { dependsOn: ['charge'], description: 'hands the order to the carrier' }, async (ctx) => {
    await sleep(100);
    ctx.log(`shipped order ${ctx.input.orderId} (charge ${ctx.parents.charge.chargeId})`);
    return { shippedAt: new Date().toISOString() };
  });
