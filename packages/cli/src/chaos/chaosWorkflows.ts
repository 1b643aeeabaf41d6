import type { WorkflowSpecInput } from '@flowline/engine';

/** One node that sleeps long enough to be killed mid-way, with a retry to recover through. */
export const ChaosNap: WorkflowSpecInput = {
  name: 'ChaosNap',
  nodes: [
    { name: 'nap', type: 'sleep', retries: 1, backoffMs: 0, params: { ms: 1000 } },
    { name: 'after', type: 'noop', dependsOn: ['nap'] },
  ],
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
