import type { RunEvent } from '../core/runState.ts';
import { resultText } from '../runtime/nodeResult.ts';
import { AbandonReason, type AbandonedNode } from '../storage/takeOverAbandonedNodes.ts';

/**
 * What the reconciler reports about a node it took over, as the event the
 * core decides on: the same events a live worker would have sent, so retries,
 * run failure and cancellation follow the one set of rules in decide().
 */
export function abandonedNodeEvent(node: AbandonedNode, leaseOwner: string, lostAttemptsAllowed: number): RunEvent {
  const report = { node: node.node, attempt: node.attempt, leaseOwner };
  switch (node.reason) {
    case AbandonReason.CANCEL: {
      const message = 'cancelled (the worker did not acknowledge in time)';
      return { type: 'NODE_CANCELED', ...report, outcome: { error: message, result: resultText([message], '') } };
    }
    case AbandonReason.TIMEOUT: {
      // Worded as the worker words its own timeouts: the record should not depend on who noticed.
      const message = `timed out after ${node.timeoutMs} ms`;
      return { type: 'NODE_FAILED', ...report, failure: 'TIMEOUT', outcome: { error: message, result: resultText([message], '') } };
    }
    case AbandonReason.LEASE_EXPIRED:
      return { type: 'LEASE_EXPIRED', ...report, lostAttemptsAllowed, ...(node.previousOwner ? { lostBy: node.previousOwner } : {}) };
  }
}
