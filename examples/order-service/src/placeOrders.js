// Places a batch of orders the way a shop's checkout would, and says how they
// ran: `node src/placeOrders.js`. Needs FLOWLINE_URL (default
// http://localhost:8080) and FLOWLINE_TOKEN.
//
// Three customers order at once. Each customer's orders run one at a time
// (the workflow's concurrency limit); express orders start with priority 10,
// so a busy worker takes their nodes first; one order is declined and one
// held for review: both fail at once, without retries.
import { FlowlineClient } from '@flowline/sdk';
import { FulfilOrder } from './workflows.js';

const client = new FlowlineClient({ baseUrl: process.env.FLOWLINE_URL ?? 'http://localhost:8080', token: process.env.FLOWLINE_TOKEN ?? '' });

const orders = [
  { orderId: 'o-1', customerId: 'alice', amountCents: 1200 },
  { orderId: 'o-2', customerId: 'alice', amountCents: 800, flakyAttempts: 2 },
  { orderId: 'o-3', customerId: 'bob', amountCents: 99_900 },
  { orderId: 'o-4', customerId: 'bob', amountCents: 4500, express: true },
  { orderId: 'fraud-5', customerId: 'carol', amountCents: 300 },
  { orderId: 'o-6', customerId: 'carol', amountCents: 2500, express: true },
];
const runs = await Promise.all(
  orders.map(({ express, ...input }) => client.start(FulfilOrder, { bizId: input.orderId, input, ...(express ? { priority: 10 } : {}) })),
);
for (const run of runs) console.log(`${run.bizId}: started ${run.id} (${run.status}, priority ${run.priority})`);
for (const run of runs) {
  const done = await client.waitFor(run.id);
  const charge = done.nodes.find((node) => node.name === 'charge');
  console.log(`${done.bizId}: ${done.status}; charge ${charge.status} after ${charge.attempt} attempt(s)${charge.error ? `: ${charge.error}` : ''}`);
}
