import type { WorkflowSpecInput } from '@flowline/engine';

/** One node that sleeps long enough to be killed mid-way, with no retries: only the lost-attempt budget may re-run it. */
export const ChaosNap: WorkflowSpecInput = {
  name: 'ChaosNap',
  nodes: [
    { name: 'nap', type: 'sleep', params: { ms: 5000 } },
    { name: 'after', type: 'noop', dependsOn: ['nap'] },
  ],
};

/** One node that holds its worker for a while (longer than a scenario takes to set up its kill): many of them keep a worker busy when it is killed. */
export const ChaosHold: WorkflowSpecInput = {
  name: 'ChaosHold',
  nodes: [{ name: 'hold', type: 'sleep', params: { ms: 15_000 } }],
};

/**
 * A short chain, so that at any moment of a 100-run burst some nodes are
 * queued, some running and some being handed to their successor. Retries
 * cover attempts lost with a process or a connection.
 */
export const ChaosChain: WorkflowSpecInput = {
  name: 'ChaosChain',
  nodes: [
    { name: 'fetch', type: 'sleep', retries: 3, backoffMs: 0, params: { ms: 300 } },
    { name: 'transform', type: 'noop', retries: 3, backoffMs: 0, dependsOn: ['fetch'] },
    { name: 'store', type: 'sleep', retries: 3, backoffMs: 0, dependsOn: ['transform'], params: { ms: 100 } },
  ],
};

/** One http node calling `url` (a ledger that counts each attempt's Idempotency-Key), then a step after it. */
export function chaosLedgerWorkflow(url: string): WorkflowSpecInput {
  return {
    name: 'ChaosLedger',
    nodes: [
      { name: 'call', type: 'http', params: { url, method: 'POST' } },
      { name: 'after', type: 'noop', dependsOn: ['call'] },
    ],
  };
}
